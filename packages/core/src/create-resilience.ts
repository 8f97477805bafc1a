import {
  type BreakerPermit,
  type BreakerRegistry,
  type BreakerRegistryOptions,
  type CircuitBreaker,
  CircuitOpenError,
  createBreakerRegistry,
} from '@resilience/circuit-breaker';
import { backoffDelayMs } from './backoff.js';
import { createDeadline, type Deadline } from './deadline.js';
import { AbortedError } from './errors/aborted-error.js';
import { AttemptTimeoutError } from './errors/attempt-timeout-error.js';
import { DeadlineExceededError } from './errors/deadline-exceeded-error.js';
import type { HedgeCallContext, HedgeCallHooks, HedgePolicy } from './hedge/create-hedge-policy.js';
import {
  type AttemptEvent,
  type AttemptOutcome,
  DEFAULT_RESILIENCE_OPTIONS,
  describe,
  type FailureClassification,
  type GiveUpEvent,
  type GiveUpReason,
  type ResilienceOptions,
  type ResolvedRetryOptions,
  type RetryEvent,
  resolveRetryBudgetOptions,
  resolveRetryOptions,
  resolveTimeout,
} from './options.js';
import { createRetryBudget, type RetryBudget } from './retry-budget.js';

/** One attempt of an operation: stop when `signal` aborts (attempt timeout, deadline, caller abort, shutdown). */
export type Operation<T> = (signal: AbortSignal, attempt: number) => Promise<T>;

/** Per-call options of {@link Resilience.run}. */
export interface RunOptions {
  /**
   * May the operation run more than once? Nothing is retried without it.
   * @default false
   */
  readonly idempotent?: boolean | undefined;
  /** The call's deadline (shared with the rest of the request). Wins over `deadlineMs`. */
  readonly deadline?: Deadline | undefined;
  /** A deadline of its own for this call, in ms. @default the instance's `deadlineMs` */
  readonly deadlineMs?: number | undefined;
  /** The caller's cancellation. */
  readonly signal?: AbortSignal | undefined;
  /** @default the instance's `attemptTimeoutMs` */
  readonly attemptTimeoutMs?: number | undefined;
  /** @default the instance's `retry.retries` */
  readonly retries?: number | undefined;
  /** @default the instance's `classify` */
  readonly classify?: ((error: unknown, attempt: number) => FailureClassification) | undefined;
  /** This call's own observers, called beside the instance's `onRetry`/`onGiveUp`. A hook that throws is ignored. */
  readonly hooks?: RunHooks | undefined;
  /**
   * The errors this call throws for its own timeout and cancellation (an adapter's typed errors); each is
   * classified like any other attempt error for the timeout.
   * @default core's `AttemptTimeoutError`, `DeadlineExceededError`, `AbortedError`
   */
  readonly errors?: RunErrors | undefined;
  /**
   * Hedging for this call (`createHedgePolicy`): while an attempt is pending past the policy's delay, a copy is
   * sent; the first success wins, the others are aborted. Applies only with `idempotent: true`; each hedge takes
   * its own breaker permit, goes out only while the breaker is CLOSED, and spends a retry-budget token.
   * @default undefined (no hedging)
   */
  readonly hedge?: HedgePolicy | false | undefined;
  /**
   * A concurrency limiter for this call's upstream (say one per key): each attempt waits for a token after its
   * breaker permit and before it starts. `acquire` rejecting (limit reached) fails the attempt with that error,
   * classified like any other. The token hears `success(rttMs)` for an attempt that succeeded, `dropped()` for one
   * that timed out, `ignore()` for everything else (a failure, a cancellation).
   * @default none
   */
  readonly limiter?: AttemptLimiter | undefined;
  /** Observers of this call's hedges (`onHedge`, `onWin`, `onCancel`, `onRefuse`). */
  readonly hedgeHooks?: HedgeCallHooks | undefined;
  /**
   * `true` when the operation's promise settles as soon as its signal aborts (axios' adapters, fetch): the loop
   * then aborts it and waits for it instead of racing it against its timers.
   * @default false
   */
  readonly settlesOnAbort?: boolean | undefined;
}

/** What {@link RunOptions.limiter} needs: a token per attempt, told how the attempt went. */
export interface AttemptLimiter {
  acquire(signal: AbortSignal): Promise<AttemptLimiterToken>;
}

export interface AttemptLimiterToken {
  /** The attempt succeeded after `rttMs`. */
  success(rttMs: number): void;
  /** The attempt timed out: a sign of overload. */
  dropped(): void;
  /** Says nothing about the upstream's load (a failure, a cancellation). */
  ignore(): void;
}

/** Per-call observers of {@link Resilience.run}. */
export interface RunHooks {
  /** After every attempt, including one the breaker rejected. */
  readonly onAttempt?: ((event: AttemptEvent) => void) | undefined;
  /** Before each backoff wait. */
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Once, when the call fails for good. */
  readonly onGiveUp?: ((event: GiveUpEvent) => void) | undefined;
}

/** Builders of the errors a call throws for its own timeout and cancellation. */
export interface RunErrors {
  attemptTimeout?(attempt: number, timeoutMs: number): unknown;
  /** `cause`: the previous attempt's error, if any. */
  deadlineExceeded?(attempts: number, deadlineMs: number, cause: unknown): unknown;
  /** `cause`: the signal's reason when it aborts an attempt, the previous attempt's error during a backoff wait. */
  aborted?(attempts: number, cause: unknown): unknown;
}

/** Runs operations under deadline → retry (budget, backoff, Retry-After) → breaker per key → attempt timeout. */
export interface Resilience {
  /**
   * Runs `operation` for `key` (the breaker's name: an upstream, a Redis node). Resolves with its value; rejects
   * with its last (classified) error, a `CircuitOpenError` (never retried), an `AttemptTimeoutError`, a
   * `DeadlineExceededError` or an `AbortedError`.
   */
  run<T>(key: string, operation: Operation<T>, options?: RunOptions): Promise<T>;
  /** The breakers, one per key (`undefined` with `breaker: false`). */
  readonly breakers: BreakerRegistry | undefined;
  /** Creates a deadline on this instance's clock. */
  deadline(budgetMs: number): Deadline;
  /** Shuts down the breakers this instance created. Idempotent. */
  close(): void;
}

const countAll = (): FailureClassification => ({ retryable: true, breaker: 'failure' });

/** Builds a {@link Resilience}. Options are validated here; a bad one throws a `TypeError` naming it. */
export function createResilience(options: ResilienceOptions = {}): Resilience {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('resilience options must be an object');
  const d = DEFAULT_RESILIENCE_OPTIONS;
  const now = options.now ?? d.now;
  if (typeof now !== 'function') throw new TypeError(`options.now must be a function, got ${describe(now)}`);
  const retry = resolveRetryOptions(options.retry);
  const budgetOptions = resolveRetryBudgetOptions(options.retryBudget);
  const attemptTimeoutMs = resolveTimeout('attemptTimeoutMs', options.attemptTimeoutMs ?? d.attemptTimeoutMs);
  const deadlineMs =
    options.deadlineMs === undefined ? undefined : resolveTimeout('deadlineMs', options.deadlineMs);
  const classify = options.classify ?? countAll;
  if (typeof classify !== 'function')
    throw new TypeError(`options.classify must be a function, got ${describe(classify)}`);
  const given = options.breaker ?? {};
  let breakers: BreakerRegistry | undefined;
  let owned = false;
  if (given === false) breakers = undefined;
  else if (isRegistry(given)) breakers = given;
  else {
    breakers = createBreakerRegistry(given as BreakerRegistryOptions);
    owned = true;
  }
  const budget = budgetOptions === undefined ? undefined : createRetryBudget(budgetOptions, now);
  const engine: Engine = {
    retry,
    budget,
    breakers,
    attemptTimeoutMs,
    deadlineMs,
    classify,
    now,
    onRetry: options.onRetry,
    onGiveUp: options.onGiveUp,
  };
  let closed = false;
  return {
    breakers,
    run: (key, operation, runOptions) => run(engine, key, operation, runOptions ?? {}),
    deadline: (budgetMs) => createDeadline(budgetMs, { now }),
    close() {
      if (closed) return;
      closed = true;
      if (owned) breakers?.shutdown();
    },
  };
}

function isRegistry(value: object): value is BreakerRegistry {
  return (
    typeof (value as { get?: unknown }).get === 'function' &&
    typeof (value as { snapshot?: unknown }).snapshot === 'function'
  );
}

interface Engine {
  readonly retry: ResolvedRetryOptions;
  readonly budget: RetryBudget | undefined;
  readonly breakers: BreakerRegistry | undefined;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number | undefined;
  readonly classify: (error: unknown, attempt: number) => FailureClassification;
  readonly now: () => number;
  readonly onRetry: ResilienceOptions['onRetry'];
  readonly onGiveUp: ResilienceOptions['onGiveUp'];
}

async function run<T>(engine: Engine, key: string, operation: Operation<T>, options: RunOptions): Promise<T> {
  if (typeof key !== 'string' || key.length === 0)
    throw new TypeError(`run(key): must be a non-empty string, got ${describe(key)}`);
  if (typeof operation !== 'function')
    throw new TypeError(`run(key, operation): must be a function, got ${describe(operation)}`);
  const retries = options.retries === undefined ? engine.retry.retries : options.retries;
  const classify = options.classify ?? engine.classify;
  const timeoutMs = options.attemptTimeoutMs ?? engine.attemptTimeoutMs;
  const { signal, hooks, errors } = options;
  const settlesOnAbort = options.settlesOnAbort === true;
  // Hedging replaces one attempt per retry round; only a call that may run more than once is hedged.
  const hedge = options.idempotent === true && options.hedge !== false ? options.hedge : undefined;
  const hedgeHooks = options.hedgeHooks;
  const { limiter } = options;
  let attempt = 0;
  let lastError: unknown;
  const giveUp: (reason: GiveUpReason, explanation: string, error: unknown) => never = (
    reason,
    explanation,
    error,
  ) => {
    const event: GiveUpEvent = { key, attempts: attempt, reason, explanation, error };
    safeHook(() => engine.onGiveUp?.(event));
    safeHook(() => hooks?.onGiveUp?.(event));
    throw error;
  };
  const aborted = (cause: unknown): unknown =>
    errors?.aborted === undefined
      ? new AbortedError({ key, attempts: attempt, cause })
      : errors.aborted(attempt, cause);
  if (signal?.aborted) giveUp('aborted', 'the signal was already aborted', aborted(signal.reason));

  const ownDeadlineMs = options.deadlineMs ?? engine.deadlineMs;
  const deadline =
    options.deadline ??
    (ownDeadlineMs === undefined ? undefined : createDeadline(ownDeadlineMs, { now: engine.now }));
  const ownsDeadline = options.deadline === undefined && deadline !== undefined;

  // The call's own cancellation: the caller's signal or the deadline, whichever comes first.
  const call = new AbortController();
  let cancelledBy: 'caller' | 'deadline' | undefined;
  const onCaller = (): void => {
    cancelledBy ??= 'caller';
    call.abort(signal?.reason);
  };
  const onDeadline = (): void => {
    cancelledBy ??= 'deadline';
    call.abort(new DOMException('deadline exceeded', 'TimeoutError'));
  };
  signal?.addEventListener('abort', onCaller, { once: true });
  // The deadline's own timer (on its clock's timers) cuts the call: one timer for everything sharing it.
  const deadlineSignal = deadline?.signal;
  if (deadlineSignal?.aborted) onDeadline();
  else deadlineSignal?.addEventListener('abort', onDeadline, { once: true });

  engine.budget?.recordCall();
  const deadlineMs = deadline?.budgetMs ?? 0;
  /** The error of a call cut by the caller or the deadline; `cause` as {@link RunErrors} says. */
  const cancellation = (duringAttempt: boolean): unknown => {
    if (cancelledBy === 'deadline') {
      return errors?.deadlineExceeded === undefined
        ? new DeadlineExceededError({ key, attempts: attempt, deadlineMs, cause: lastError })
        : errors.deadlineExceeded(attempt, deadlineMs, lastError);
    }
    return aborted(duringAttempt ? signal?.reason : lastError);
  };
  const emit = (startedAt: number, outcome: AttemptOutcome, value: unknown, error: unknown): void => {
    if (hooks?.onAttempt === undefined) return;
    const event: AttemptEvent = {
      key,
      attempt,
      durationMs: performance.now() - startedAt,
      outcome,
      value,
      error,
    };
    safeHook(() => hooks.onAttempt?.(event));
  };
  const timeoutError = (limitMs: number): unknown =>
    errors?.attemptTimeout === undefined
      ? new AttemptTimeoutError({ key, attempts: attempt, timeoutMs: limitMs })
      : errors.attemptTimeout(attempt, limitMs);
  /** One attempt under `permit`, its outcome classified and the permit settled by it. */
  const oneAttempt = async (
    permit: BreakerPermit | undefined,
    limitMs: number,
    signal: AbortSignal,
  ): Promise<Round<T>> => {
    let token: AttemptLimiterToken | undefined;
    let outcome: AttemptResult<T>;
    if (limiter === undefined)
      outcome = await attemptOnce(operation, attempt, limitMs, signal, settlesOnAbort);
    else {
      try {
        token = await limiter.acquire(signal);
      } catch (error) {
        token = undefined;
        outcome = { ok: false, timedOut: false, error };
      }
      const startedAt = performance.now();
      outcome ??= await attemptOnce(operation, attempt, limitMs, signal, settlesOnAbort);
      if (outcome.ok) token?.success(performance.now() - startedAt);
      else if (outcome.timedOut && !signal.aborted) token?.dropped();
      else token?.ignore();
    }
    if (outcome.ok) {
      permit?.success();
      return { kind: 'success', value: outcome.value };
    }
    if (cancelledBy !== undefined || signal.aborted) {
      permit?.ignore();
      return { kind: 'cancelled' };
    }
    const raw = outcome.timedOut ? timeoutError(limitMs) : outcome.error;
    const verdict = safeClassify(classify, raw, attempt);
    const error = 'error' in verdict && verdict.error !== undefined ? verdict.error : raw;
    if (verdict.breaker === 'ignore') permit?.ignore();
    else if (verdict.breaker === 'success') permit?.success();
    else permit?.failure(error);
    return { kind: 'failure', verdict, error };
  };
  const singleRound = (permit: BreakerPermit | undefined, limitMs: number): Promise<Round<T>> =>
    oneAttempt(permit, limitMs, call.signal);
  /**
   * One round as a hedged call: the primary under `permit`, each hedge under a permit of its own, sent only while
   * the breaker is CLOSED and the retry budget pays for it. The first success wins; a failure that is not
   * retryable ends the round.
   */
  const hedgedRound = async (
    policy: HedgePolicy,
    breaker: CircuitBreaker | undefined,
    permit: BreakerPermit | undefined,
    limitMs: number,
  ): Promise<Round<T>> => {
    const context: HedgeCallContext = {
      ...hedgeHooks,
      key,
      signal: call.signal,
      mayHedge: () =>
        (breaker === undefined || breaker.state === 'CLOSED') && (engine.budget?.tryAcquireRetry() ?? true),
      isFinalFailure: (thrown) => thrown instanceof RoundFailure && !thrown.round.verdict.retryable,
    };
    try {
      return await policy.run(async (signal, index) => {
        const own = index === 0 ? permit : breaker?.tryAcquire();
        if (own instanceof CircuitOpenError) throw own;
        const round = await oneAttempt(own, limitMs, signal);
        if (round.kind === 'success') return round;
        if (round.kind === 'failure') throw new RoundFailure(round);
        throw signal.reason;
      }, context);
    } catch (thrown) {
      if (thrown instanceof RoundFailure) return thrown.round;
      if (thrown instanceof CircuitOpenError) return { kind: 'rejected', error: thrown };
      return { kind: 'cancelled' };
    }
  };
  try {
    for (;;) {
      if (cancelledBy !== undefined) {
        giveUp(
          cancelledBy === 'deadline' ? 'deadline-exceeded' : 'aborted',
          'cancelled before the attempt',
          cancellation(false),
        );
      }
      attempt += 1;
      const startedAt = performance.now();
      const breaker = engine.breakers?.get(key);
      const permit = breaker?.tryAcquire();
      if (permit instanceof CircuitOpenError) {
        lastError = permit;
        emit(startedAt, 'rejected', undefined, permit);
        giveUp('circuit-open', `the circuit breaker for ${key} is open`, permit);
      }
      const limitMs =
        deadline === undefined ? timeoutMs : Math.max(1, Math.min(timeoutMs, deadline.remainingMs()));
      const round =
        hedge === undefined
          ? await singleRound(permit, limitMs)
          : await hedgedRound(hedge, breaker, permit, limitMs);
      if (round.kind === 'success') {
        emit(startedAt, 'success', round.value, undefined);
        return round.value;
      }
      if (round.kind === 'cancelled' || cancelledBy !== undefined) {
        // Cut by the caller or the deadline: the upstream never answered (the permits were ignored).
        const error = cancellation(true);
        emit(startedAt, 'cancelled', undefined, error);
        if (cancelledBy === 'deadline')
          giveUp(
            'deadline-exceeded',
            `the deadline of ${deadlineMs} ms expired during attempt ${attempt}`,
            error,
          );
        giveUp('aborted', 'the caller aborted the call', error);
      }
      if (round.kind === 'rejected') {
        emit(startedAt, 'rejected', undefined, round.error);
        giveUp('circuit-open', `the circuit breaker for ${key} is open`, round.error);
      }
      const { verdict, error } = round;
      lastError = error;
      emit(startedAt, 'failure', undefined, error);

      if (!verdict.retryable)
        giveUp('not-retryable', `${verdict.reason ?? 'the error'} is not retried`, error);
      if (options.idempotent !== true) giveUp('not-idempotent', 'the call is not idempotent', error);
      if (attempt > retries) {
        giveUp(
          'retries-exhausted',
          `the limit of ${retries + 1} attempt${retries === 0 ? '' : 's'} is reached`,
          error,
        );
      }
      // The attempt that just failed may have opened the breaker: a retry would only be refused after its wait.
      if (breaker !== undefined && breaker.state === 'OPEN') {
        giveUp(
          'circuit-open',
          `attempt ${attempt} opened the circuit breaker for ${key}; a retry would be rejected`,
          error,
        );
      }
      const hinted = verdict.retryAfterMs;
      const delayMs =
        hinted === undefined
          ? backoffDelayMs(attempt, engine.retry)
          : Math.min(hinted, engine.retry.maxRetryAfterMs);
      if (deadline !== undefined && delayMs >= deadline.remainingMs()) {
        giveUp(
          hinted === undefined ? 'backoff-exceeds-deadline' : 'retry-after-exceeds-deadline',
          `${hinted === undefined ? 'the backoff' : 'Retry-After'} wait of ${delayMs} ms does not fit the ${deadline.remainingMs()} ms left before the deadline`,
          error,
        );
      }
      if (engine.budget !== undefined && !engine.budget.tryAcquireRetry()) {
        const { calls, retries: spent } = engine.budget.snapshot();
        giveUp(
          'retry-budget-exhausted',
          `the retry budget refused the retry (${spent} retries for ${calls} calls in the window)`,
          error,
        );
      }
      const event: RetryEvent = {
        key,
        attempt,
        delayMs,
        error,
        reason: verdict.reason,
        retryAfterMs: hinted,
      };
      safeHook(() => engine.onRetry?.(event));
      safeHook(() => hooks?.onRetry?.(event));
      if (!(await wait(delayMs, call.signal))) {
        giveUp(
          cancelledBy === 'deadline' ? 'deadline-exceeded' : 'aborted',
          'cancelled while waiting to retry',
          cancellation(false),
        );
      }
    }
  } finally {
    deadlineSignal?.removeEventListener('abort', onDeadline);
    signal?.removeEventListener('abort', onCaller);
    if (ownsDeadline) deadline?.dispose();
  }
}

/** How one retry round ended (one attempt, or a hedged set of them). */
type Round<T> =
  | { readonly kind: 'success'; readonly value: T }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'rejected'; readonly error: CircuitOpenError }
  | { readonly kind: 'failure'; readonly verdict: FailureClassification; readonly error: unknown };

/** Carries a classified failure through `HedgePolicy.run`. */
class RoundFailure {
  constructor(readonly round: Extract<Round<unknown>, { kind: 'failure' }>) {}
}

type AttemptResult<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; error: unknown };

/** One attempt under its timeout and the call's cancellation; never rejects. */
function attemptOnce<T>(
  operation: Operation<T>,
  attempt: number,
  timeoutMs: number,
  call: AbortSignal,
  settlesOnAbort: boolean,
): Promise<AttemptResult<T>> {
  const controller = new AbortController();
  return new Promise((resolve) => {
    let done = false;
    let timedOut = false;
    const finish = (outcome: AttemptResult<T>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      call.removeEventListener('abort', onCall);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`attempt timed out after ${timeoutMs} ms`, 'TimeoutError'));
      // An operation that settles on abort is waited for (its own rejection ends the attempt).
      if (!settlesOnAbort) finish({ ok: false, timedOut: true, error: undefined });
    }, timeoutMs);
    const onCall = (): void => {
      controller.abort(call.reason);
      if (!settlesOnAbort) finish({ ok: false, timedOut: false, error: call.reason });
    };
    if (call.aborted) onCall();
    else call.addEventListener('abort', onCall, { once: true });
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(operation(controller.signal, attempt));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => finish({ ok: true, value }),
      (error: unknown) => finish({ ok: false, timedOut, error }),
    );
  });
}

function safeClassify(
  classify: (error: unknown, attempt: number) => FailureClassification,
  error: unknown,
  attempt: number,
): FailureClassification {
  try {
    const verdict = classify(error, attempt);
    if (typeof verdict === 'object' && verdict !== null) return verdict;
  } catch {
    // A classifier that throws: count the failure, do not retry it.
  }
  return { retryable: false, breaker: 'failure', reason: 'an unclassified error' };
}

function safeHook(hook: () => void): void {
  try {
    hook();
  } catch {
    // Hooks observe; they never change the call.
  }
}

/** Resolves `true` after `ms`, `false` as soon as `signal` aborts (the timer cleared). */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
