import { AsyncResource } from 'node:async_hooks';
import OpossumBreaker from 'opossum';
import { CircuitOpenError, type CircuitOpenReason, createRejection } from './errors/circuit-open-error.js';
import { SlowCallError } from './errors/slow-call-error.js';
import { Listeners } from './listeners.js';
import {
  type CircuitBreakerOptions,
  type CircuitBreakerPolicy,
  describe,
  resolveCircuitBreakerOptions,
} from './options.js';
import { type Outcome, Permit } from './permit.js';
import type {
  BreakerPermit,
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
  readonly #policy: CircuitBreakerPolicy;
  readonly #failureRateThreshold: number;
  readonly #minimumNumberOfCalls: number;
  readonly #slowCallDurationMs: number | undefined;
  readonly #halfOpenProbes: number;
  readonly #successThreshold: number;
  readonly #now: () => number;
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
  /** Trial calls of the current HALF_OPEN period still running. */
  #trialsInFlight = 0;
  /** Successful trials in the current HALF_OPEN period. */
  #halfOpenSuccesses = 0;
  #slowCalls = 0;
  /** The failure-rate window: 1 = failure, 0 = success, oldest overwritten first. */
  readonly #window: Uint8Array;
  #windowCount = 0;
  #windowFailures = 0;
  #windowNext = 0;
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
    this.#policy = config.policy;
    this.#failureRateThreshold = config.failureRateThreshold;
    this.#minimumNumberOfCalls = config.minimumNumberOfCalls;
    this.#slowCallDurationMs = config.slowCallDurationMs;
    this.#halfOpenProbes = config.halfOpenProbes;
    this.#successThreshold = config.successThreshold;
    this.#now = config.now;
    this.#window = new Uint8Array(config.policy === 'failure-rate' ? config.slidingWindowSize : 1);

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

  acquire(): BreakerPermit {
    const admitted = this.#admit(ConsecutiveFailureBreaker.prototype.acquire);
    if (admitted instanceof CircuitOpenError) throw admitted;
    return admitted;
  }

  tryAcquire(): BreakerPermit | CircuitOpenError {
    return this.#admit(ConsecutiveFailureBreaker.prototype.tryAcquire);
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (typeof fn !== 'function') {
      // A caller bug, not an upstream failure: never counted.
      return Promise.reject(new TypeError(`execute(fn): fn must be a function, got ${describe(fn)}`));
    }
    const permit = this.#admit(ConsecutiveFailureBreaker.prototype.execute);
    if (permit instanceof CircuitOpenError) return Promise.reject(permit);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(fn(this.#abort.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (value) => {
        permit.success();
        return value;
      },
      (error: unknown) => {
        const outcome = this.#classify(error);
        if (outcome === 'ignored') permit.ignore();
        else if (outcome === 'success') permit.success();
        else permit.failure(error);
        throw error;
      },
    );
  }

  /** Admits a call (a permit) or builds the rejection, whose stack frames start at the caller of `below`. */
  #admit(below: (...args: never[]) => unknown): Permit | CircuitOpenError {
    if (this.#shutDown) return this.#rejectCall('shutdown', below);
    if (this.#state === 'OPEN') return this.#rejectCall('open', below);
    let trialOf = -1;
    if (this.#state === 'HALF_OPEN') {
      if (this.#trialsInFlight >= this.#halfOpenProbes) return this.#rejectCall('trial_in_flight', below);
      this.#trialsInFlight += 1;
      trialOf = this.#halfOpenPeriod;
    }
    this.#inFlight += 1;
    return new Permit(this.#settler, trialOf, this.#now());
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
      slowCalls: this.#slowCalls,
      windowCalls: this.#windowCount,
      windowFailures: this.#windowFailures,
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
    return Math.max(0, this.#openedAt + this.#resetTimeoutMs - this.#now());
  }

  /** The error's stack (if any frames are kept) starts at the caller of `below`. */
  #rejectCall(reason: CircuitOpenReason, below: (...args: never[]) => unknown): CircuitOpenError {
    const error = createRejection(
      {
        breakerName: this.name,
        retryAfterMs: reason === 'open' ? (this.#msUntilHalfOpen() ?? 0) : 0,
        reason,
      },
      below,
      this.#rejectionStackFrames,
    );
    this.#rejections += 1;
    this.#reject.emit({ name: this.name, error });
    return error;
  }

  /** Hands permits their way back in without exposing `#settle`. */
  readonly #settler = (permit: Permit, outcome: Outcome, error: unknown): void =>
    this.#settle(permit, outcome, error);

  /**
   * Applies the outcome of a permit. `permit.trialOf` is the HALF_OPEN period whose trial the call was, or -1.
   * A late outcome (a call admitted while CLOSED that settles while HALF_OPEN) decides like a trial would.
   */
  #settle(permit: Permit, reported: Outcome, error: unknown): void {
    this.#inFlight -= 1;
    if (permit.trialOf !== -1 && permit.trialOf === this.#halfOpenPeriod) this.#trialsInFlight -= 1;
    if (reported === 'ignored') {
      // Neither a failure nor a sign of life: the count stays, a half-open breaker stays half-open.
      this.#ignored += 1;
      return;
    }
    const slow =
      reported === 'success' &&
      this.#slowCallDurationMs !== undefined &&
      this.#now() - permit.startedAt >= this.#slowCallDurationMs;
    if (reported === 'success' && !slow) {
      this.#successes += 1;
      this.#consecutiveFailures = 0;
      if (this.#state === 'CLOSED') this.#record(false);
      // Stryker disable next-line ConditionalExpression: after shutdown opossum's listeners are gone
      if (this.#state === 'HALF_OPEN' && !this.#shutDown) {
        this.#halfOpenSuccesses += 1;
        if (this.#halfOpenSuccesses >= this.#successThreshold) this.#opossum.close();
      }
      return;
    }
    this.#failures += 1;
    if (slow) this.#slowCalls += 1;
    this.#consecutiveFailures += 1;
    this.#lastFailureAt = this.#now();
    this.#lastError = slow ? new SlowCallError(this.name, this.#slowCallDurationMs ?? 0) : error;
    if (this.#state === 'CLOSED') this.#record(true);
    // Stryker disable next-line ConditionalExpression: after shutdown opossum has no listeners left, so open() changes nothing we report
    if (this.#shutDown) return;
    if (this.#state === 'HALF_OPEN' || (this.#state === 'CLOSED' && this.#tripped())) {
      this.#opossum.open();
    }
  }

  /** Records a counted outcome of a CLOSED breaker in the failure-rate window (a ring buffer). */
  #record(failed: boolean): void {
    if (this.#policy !== 'failure-rate') return;
    if (this.#windowCount === this.#window.length) {
      if (this.#window[this.#windowNext] === 1) this.#windowFailures -= 1;
    } else {
      this.#windowCount += 1;
    }
    this.#window[this.#windowNext] = failed ? 1 : 0;
    if (failed) this.#windowFailures += 1;
    this.#windowNext = (this.#windowNext + 1) % this.#window.length;
  }

  #tripped(): boolean {
    if (this.#policy === 'consecutive') return this.#consecutiveFailures >= this.#failureThreshold;
    return (
      this.#windowCount >= this.#minimumNumberOfCalls &&
      this.#windowFailures * 100 >= this.#failureRateThreshold * this.#windowCount
    );
  }

  #clearWindow(): void {
    this.#window.fill(0);
    this.#windowCount = 0;
    this.#windowFailures = 0;
    this.#windowNext = 0;
  }

  #onOpen(): void {
    const from = this.#state;
    this.#state = 'OPEN';
    this.#openedAt = this.#now();
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
    this.#trialsInFlight = 0;
    this.#halfOpenSuccesses = 0;
    this.#stateChange.emit({ name: this.name, from, to: 'HALF_OPEN' });
    this.#halfOpen.emit({ name: this.name });
  }

  #onClose(): void {
    const from = this.#state;
    this.#state = 'CLOSED';
    this.#consecutiveFailures = 0;
    this.#clearWindow();
    this.#stateChange.emit({ name: this.name, from, to: 'CLOSED' });
    this.#close.emit({ name: this.name });
  }
}
