import { AsyncResource } from 'node:async_hooks';
import OpossumBreaker from 'opossum';
import { CircuitOpenError, type CircuitOpenReason, createRejection } from './errors/circuit-open-error.js';
import { Listeners } from './listeners.js';
import { type CircuitBreakerOptions, describe, resolveCircuitBreakerOptions } from './options.js';
import type {
  CircuitBreaker,
  CircuitBreakerStats,
  CircuitState,
  CloseEvent,
  HalfOpenEvent,
  OpenEvent,
  RejectEvent,
  StateChangeEvent,
  Unsubscribe,
} from './types.js';

/** How a settled call counts. */
type Outcome = 'success' | 'failure' | 'ignored';

/** Opossum's action: never fired (calls run here), it only holds the OPEN -> HALF_OPEN timer and state. */
// Stryker disable next-line ArrowFunction: opossum never fires its action here, so its body never runs
const unused = (): Promise<void> => Promise.resolve();

/**
 * Creates a breaker that opens after `failureThreshold` consecutive failures, rejects
 * every call for `resetTimeoutMs`, then lets exactly one trial call through.
 *
 * Built on opossum with its own tripping disabled: opossum's timeout is off (the caller
 * owns timeouts) and its percentage trip can never fire. Opossum keeps the state and the
 * `OPEN -> HALF_OPEN` timer; this module runs the calls, classifies each outcome as success,
 * failure or ignored, counts consecutive failures, gates the single trial, and calls
 * opossum's `open()` / `close()`. Calls do not go through opossum's `fire()`: it knows only
 * two outcomes (its `errorFilter` turns any other error into a success, which closes a
 * half-open breaker), and its single-trial flag is private and re-armed only by its reset
 * timer, so an ignored trial could neither keep the breaker half-open nor let the next
 * call be the trial.
 */
export function createCircuitBreaker(options?: CircuitBreakerOptions): CircuitBreaker {
  return new ConsecutiveFailureBreaker(options);
}

class ConsecutiveFailureBreaker implements CircuitBreaker {
  readonly name: string;
  readonly #failureThreshold: number;
  readonly #resetTimeoutMs: number;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #isIgnored: (error: unknown) => boolean;
  readonly #rejectionStackFrames: number;
  readonly #opossum: OpossumBreaker<[], void>;
  readonly #abort = new AbortController();
  /**
   * The async context the breaker was created in. The reset timer is armed inside the call that opened the
   * breaker and would run its HALF_OPEN listeners in that request's context (a log line 60 s later carrying the
   * opener's request id); they run in this one instead.
   */
  readonly #home = new AsyncResource('CircuitBreaker');

  #state: CircuitState = 'CLOSED';
  #shutDown = false;
  #consecutiveFailures = 0;
  #lastFailureAt: number | null = null;
  #lastError: unknown;
  #openedAt: number | null = null;
  #inFlight = 0;
  #successes = 0;
  #failures = 0;
  #rejections = 0;
  #ignored = 0;
  /** Whether the trial call of the current HALF_OPEN period is running. */
  // Stryker disable next-line BooleanLiteral: only read while HALF_OPEN, and every move to HALF_OPEN sets it to false
  #trialInFlight = false;
  /** Bumped on every move to HALF_OPEN, so a trial from an earlier period cannot release the gate. */
  #halfOpenPeriod = 0;

  readonly #stateChange = new Listeners<StateChangeEvent>();
  readonly #open = new Listeners<OpenEvent>();
  readonly #halfOpen = new Listeners<HalfOpenEvent>();
  readonly #close = new Listeners<CloseEvent>();
  readonly #reject = new Listeners<RejectEvent>();

  constructor(options?: CircuitBreakerOptions) {
    const config = resolveCircuitBreakerOptions(options);
    this.name = config.name;
    this.#failureThreshold = config.failureThreshold;
    this.#resetTimeoutMs = config.resetTimeoutMs;
    this.#isFailure = config.isFailure;
    this.#isIgnored = config.isIgnored;
    this.#rejectionStackFrames = config.rejectionStackFrames;

    this.#opossum = new OpossumBreaker<[], void>(unused, {
      name: config.name,
      // The caller owns timeouts: opossum must never report one while an attempt is still running.
      // Stryker disable next-line BooleanLiteral: calls never go through opossum's fire(), so its timeout never runs
      timeout: false,
      resetTimeout: config.resetTimeoutMs,
      // Opossum trips when the failure percentage is strictly above this: never at 100.
      errorThresholdPercentage: 100,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      // Opossum's rolling window only feeds its own (unused) stats: rotate it rarely, keep no
      // latency percentiles and no snapshot timer. The remaining interval is unref'd by opossum
      // and cleared by shutdown().
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 1,
      // Stryker disable next-line BooleanLiteral: only feeds opossum's own stats, which nothing reads
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });

    this.#opossum.on('open', () => this.#onOpen());
    this.#opossum.on('halfOpen', () => this.#home.runInAsyncScope(() => this.#onHalfOpen()));
    this.#opossum.on('close', () => this.#onClose());
  }

  get state(): CircuitState {
    return this.#state;
  }

  execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (typeof fn !== 'function') {
      // A caller bug, not an upstream failure: never counted.
      return Promise.reject(new TypeError(`execute(fn): fn must be a function, got ${describe(fn)}`));
    }
    if (this.#shutDown) return this.#rejectCall('shutdown');
    if (this.#state === 'OPEN') return this.#rejectCall('open');
    let trialOf = -1;
    if (this.#state === 'HALF_OPEN') {
      if (this.#trialInFlight) return this.#rejectCall('trial_in_flight');
      this.#trialInFlight = true;
      trialOf = this.#halfOpenPeriod;
    }

    this.#inFlight += 1;
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(fn(this.#abort.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (value) => {
        this.#settle(trialOf, 'success', undefined);
        return value;
      },
      (error: unknown) => {
        this.#settle(trialOf, this.#classify(error), error);
        throw error;
      },
    );
  }

  stats(): CircuitBreakerStats {
    return {
      name: this.name,
      state: this.#state,
      consecutiveFailures: this.#consecutiveFailures,
      lastFailureAt: this.#lastFailureAt,
      openedAt: this.#openedAt,
      msUntilHalfOpen: this.#msUntilHalfOpen(),
      inFlight: this.#inFlight,
      successes: this.#successes,
      failures: this.#failures,
      rejections: this.#rejections,
      ignored: this.#ignored,
    };
  }

  onStateChange(listener: (event: StateChangeEvent) => void): Unsubscribe {
    return this.#stateChange.add(listener);
  }

  onOpen(listener: (event: OpenEvent) => void): Unsubscribe {
    return this.#open.add(listener);
  }

  onHalfOpen(listener: (event: HalfOpenEvent) => void): Unsubscribe {
    return this.#halfOpen.add(listener);
  }

  onClose(listener: (event: CloseEvent) => void): Unsubscribe {
    return this.#close.add(listener);
  }

  onReject(listener: (event: RejectEvent) => void): Unsubscribe {
    return this.#reject.add(listener);
  }

  shutdown(): void {
    // Stryker disable next-line ConditionalExpression: a second shutdown would only repeat steps that are no-ops the second time
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.#opossum.shutdown();
    for (const listeners of [this.#stateChange, this.#open, this.#halfOpen, this.#close, this.#reject]) {
      listeners.clear();
    }
    this.#abort.abort(new CircuitOpenError({ breakerName: this.name, retryAfterMs: 0, reason: 'shutdown' }));
  }

  /** `isIgnored` first, then `isFailure`; a classifier that throws does not make the error ignored. */
  #classify(error: unknown): Outcome {
    try {
      if (this.#isIgnored(error) === true) return 'ignored';
    } catch {
      // Not ignored: isFailure decides.
    }
    try {
      // Stryker disable next-line StringLiteral: any outcome other than 'ignored' and 'success' is handled as a failure
      return this.#isFailure(error) !== false ? 'failure' : 'success';
      // Stryker disable next-line BlockStatement,StringLiteral: any outcome other than 'ignored' and 'success' is handled as a failure
    } catch {
      return 'failure';
    }
  }

  #msUntilHalfOpen(): number | null {
    if (this.#state === 'CLOSED') return null;
    if (this.#state === 'HALF_OPEN' || this.#openedAt === null) return 0;
    return Math.max(0, this.#openedAt + this.#resetTimeoutMs - Date.now());
  }

  /** Called from `execute` only: the error's stack (if any frames are kept) starts at the caller of `execute`. */
  #rejectCall<T>(reason: CircuitOpenReason): Promise<T> {
    const error = createRejection(
      {
        breakerName: this.name,
        retryAfterMs: reason === 'open' ? (this.#msUntilHalfOpen() ?? 0) : 0,
        reason,
      },
      ConsecutiveFailureBreaker.prototype.execute,
      this.#rejectionStackFrames,
    );
    this.#rejections += 1;
    this.#reject.emit({ name: this.name, error });
    return Promise.reject(error);
  }

  /**
   * Applies the outcome of a call. `trialOf` is the HALF_OPEN period whose trial the call was, or -1.
   * A late outcome (a call admitted while CLOSED that settles while HALF_OPEN) decides like a trial would.
   */
  #settle(trialOf: number, outcome: Outcome, error: unknown): void {
    this.#inFlight -= 1;
    if (trialOf !== -1 && trialOf === this.#halfOpenPeriod) this.#trialInFlight = false;
    if (outcome === 'ignored') {
      // Neither a failure nor a sign of life: the count stays, a half-open breaker stays half-open.
      this.#ignored += 1;
      return;
    }
    if (outcome === 'success') {
      this.#successes += 1;
      this.#consecutiveFailures = 0;
      // Stryker disable next-line ConditionalExpression: opossum's close() is a no-op while CLOSED, and after shutdown its listeners are gone
      if (this.#state === 'HALF_OPEN' && !this.#shutDown) this.#opossum.close();
      return;
    }
    this.#failures += 1;
    this.#consecutiveFailures += 1;
    this.#lastFailureAt = Date.now();
    this.#lastError = error;
    // Stryker disable next-line ConditionalExpression: after shutdown opossum has no listeners left, so open() changes nothing we report
    if (this.#shutDown) return;
    if (
      this.#state === 'HALF_OPEN' ||
      // Stryker disable next-line ConditionalExpression: opossum's open() is a no-op while already OPEN
      (this.#state === 'CLOSED' && this.#consecutiveFailures >= this.#failureThreshold)
    ) {
      this.#opossum.open();
    }
  }

  #onOpen(): void {
    const from = this.#state;
    this.#state = 'OPEN';
    this.#openedAt = Date.now();
    this.#stateChange.emit({ name: this.name, from, to: 'OPEN' });
    this.#open.emit({
      name: this.name,
      consecutiveFailures: this.#consecutiveFailures,
      lastError: this.#lastError,
      retryAfterMs: this.#resetTimeoutMs,
    });
  }

  #onHalfOpen(): void {
    const from = this.#state;
    this.#state = 'HALF_OPEN';
    this.#halfOpenPeriod += 1;
    this.#trialInFlight = false;
    this.#stateChange.emit({ name: this.name, from, to: 'HALF_OPEN' });
    this.#halfOpen.emit({ name: this.name });
  }

  #onClose(): void {
    const from = this.#state;
    this.#state = 'CLOSED';
    this.#consecutiveFailures = 0;
    this.#stateChange.emit({ name: this.name, from, to: 'CLOSED' });
    this.#close.emit({ name: this.name });
  }
}
