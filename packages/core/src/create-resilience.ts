import {
  type BreakerRegistry,
  type BreakerRegistryOptions,
  CircuitOpenError,
  createBreakerRegistry,
} from '@resilience/circuit-breaker';
import { backoffDelayMs } from './backoff.js';
import { createDeadline, type Deadline } from './deadline.js';
import { AbortedError } from './errors/aborted-error.js';
import { AttemptTimeoutError } from './errors/attempt-timeout-error.js';
import { DeadlineExceededError } from './errors/deadline-exceeded-error.js';
import {
  DEFAULT_RESILIENCE_OPTIONS,
  describe,
  type FailureClassification,
  type GiveUpReason,
  type ResilienceOptions,
  type ResolvedRetryOptions,
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

class GiveUp {
  constructor(
    readonly reason: GiveUpReason,
    readonly explanation: string,
    readonly error: unknown,
  ) {}
}

async function run<T>(engine: Engine, key: string, operation: Operation<T>, options: RunOptions): Promise<T> {
  if (typeof key !== 'string' || key.length === 0)
    throw new TypeError(`run(key): must be a non-empty string, got ${describe(key)}`);
  if (typeof operation !== 'function')
    throw new TypeError(`run(key, operation): must be a function, got ${describe(operation)}`);
  const retries = options.retries === undefined ? engine.retry.retries : options.retries;
  const classify = options.classify ?? engine.classify;
  const timeoutMs = options.attemptTimeoutMs ?? engine.attemptTimeoutMs;
  const ownDeadlineMs = options.deadlineMs ?? engine.deadlineMs;
  const deadline =
    options.deadline ??
    (ownDeadlineMs === undefined ? undefined : createDeadline(ownDeadlineMs, { now: engine.now }));
  const ownsDeadline = options.deadline === undefined && deadline !== undefined;
  const { signal } = options;

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
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  if (signal?.aborted) onCaller();
  else signal?.addEventListener('abort', onCaller, { once: true });
  if (deadline !== undefined && cancelledBy === undefined) {
    const left = deadline.remainingMs();
    if (left === 0) onDeadline();
    else deadlineTimer = setTimeout(onDeadline, left);
  }

  engine.budget?.recordCall();
  let lastError: unknown;
  let attempt = 0;
  const cancellation = (): unknown =>
    cancelledBy === 'deadline'
      ? new DeadlineExceededError({
          key,
          attempts: attempt,
          deadlineMs: deadline?.budgetMs ?? 0,
          cause: lastError,
        })
      : new AbortedError({ key, attempts: attempt, cause: signal?.reason });
  try {
    for (;;) {
      attempt += 1;
      if (cancelledBy !== undefined) {
        throw new GiveUp(
          cancelledBy === 'deadline' ? 'deadline-exceeded' : 'aborted',
          'cancelled before the attempt',
          cancellation(),
        );
      }
      const breaker = engine.breakers?.get(key);
      const permit = breaker?.tryAcquire();
      if (permit instanceof CircuitOpenError) {
        throw new GiveUp('circuit-open', `the circuit breaker for "${key}" is open`, permit);
      }
      const limitMs =
        deadline === undefined ? timeoutMs : Math.max(1, Math.min(timeoutMs, deadline.remainingMs()));
      const outcome = await attemptOnce(operation, attempt, limitMs, call.signal);
      if (outcome.ok) {
        permit?.success();
        return outcome.value;
      }
      if (cancelledBy !== undefined) {
        // Cut by the caller or the deadline: the upstream never answered.
        permit?.ignore();
        throw new GiveUp(
          cancelledBy === 'deadline' ? 'deadline-exceeded' : 'aborted',
          `cancelled during attempt ${attempt}`,
          cancellation(),
        );
      }
      const raw = outcome.timedOut
        ? new AttemptTimeoutError({ key, attempts: attempt, timeoutMs: limitMs })
        : outcome.error;
      const verdict = safeClassify(classify, raw, attempt);
      const error = 'error' in verdict && verdict.error !== undefined ? verdict.error : raw;
      lastError = error;
      if (verdict.breaker === 'ignore') permit?.ignore();
      else if (verdict.breaker === 'success') permit?.success();
      else permit?.failure(error);

      if (!verdict.retryable)
        throw new GiveUp('not-retryable', `${verdict.reason ?? 'the error'} is not retried`, error);
      if (options.idempotent !== true)
        throw new GiveUp('not-idempotent', 'the call is not idempotent', error);
      if (attempt > retries) {
        throw new GiveUp(
          'retries-exhausted',
          `the limit of ${retries + 1} attempt${retries === 0 ? '' : 's'} is reached`,
          error,
        );
      }
      // The attempt that just failed may have opened the breaker: a retry would only be refused after its wait.
      if (breaker !== undefined && breaker.state === 'OPEN') {
        throw new GiveUp(
          'circuit-open',
          `attempt ${attempt} opened the circuit breaker for "${key}"; a retry would be rejected`,
          error,
        );
      }
      const hinted = verdict.retryAfterMs;
      const delayMs =
        hinted === undefined
          ? backoffDelayMs(attempt, engine.retry)
          : Math.min(hinted, engine.retry.maxRetryAfterMs);
      if (deadline !== undefined && delayMs >= deadline.remainingMs()) {
        throw new GiveUp(
          'deadline-exceeded',
          `${hinted === undefined ? 'the backoff' : 'Retry-After'} wait of ${delayMs} ms does not fit the ${deadline.remainingMs()} ms left before the deadline`,
          error,
        );
      }
      if (engine.budget !== undefined && !engine.budget.tryAcquireRetry()) {
        const { calls, retries: spent } = engine.budget.snapshot();
        throw new GiveUp(
          'retry-budget-exhausted',
          `the retry budget refused the retry (${spent} retries for ${calls} calls in the window)`,
          error,
        );
      }
      safeHook(() => engine.onRetry?.({ key, attempt, delayMs, error, reason: verdict.reason }));
      if (!(await wait(delayMs, call.signal))) {
        throw new GiveUp(
          cancelledBy === 'deadline' ? 'deadline-exceeded' : 'aborted',
          'cancelled while waiting to retry',
          cancellation(),
        );
      }
    }
  } catch (thrown) {
    if (!(thrown instanceof GiveUp)) throw thrown;
    const { reason, explanation, error } = thrown;
    safeHook(() => engine.onGiveUp?.({ key, attempts: attempt, reason, explanation, error }));
    throw error;
  } finally {
    if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    signal?.removeEventListener('abort', onCaller);
    if (ownsDeadline) deadline?.dispose();
  }
}

type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; error: unknown };

/** One attempt under its timeout and the call's cancellation; never rejects. */
function attemptOnce<T>(
  operation: Operation<T>,
  attempt: number,
  timeoutMs: number,
  call: AbortSignal,
): Promise<AttemptOutcome<T>> {
  const controller = new AbortController();
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: AttemptOutcome<T>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      call.removeEventListener('abort', onCall);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      controller.abort(new DOMException(`attempt timed out after ${timeoutMs} ms`, 'TimeoutError'));
      finish({ ok: false, timedOut: true, error: undefined });
    }, timeoutMs);
    const onCall = (): void => {
      controller.abort(call.reason);
      finish({ ok: false, timedOut: false, error: call.reason });
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
      (error: unknown) => finish({ ok: false, timedOut: false, error }),
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
