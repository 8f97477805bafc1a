import OpossumBreaker from 'opossum';
import { CircuitOpenError, type CircuitOpenReason } from './errors/circuit-open-error.js';
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

type Task = (signal: AbortSignal) => Promise<unknown>;

const runTask = (task: Task, signal: AbortSignal): Promise<unknown> => task(signal);

/**
 * Creates a breaker that opens after `failureThreshold` consecutive failures, rejects
 * every call for `resetTimeoutMs`, then lets exactly one trial call through.
 *
 * Built on opossum with its own tripping disabled: opossum's timeout is off (the caller
 * owns timeouts), its percentage trip can never fire (`errorThresholdPercentage: 100` and
 * an unreachable volume threshold); this module counts consecutive failures and calls
 * `open()` itself. Opossum keeps the OPEN -> HALF_OPEN timer and the single-trial gate.
 */
export function createCircuitBreaker(options?: CircuitBreakerOptions): CircuitBreaker {
  return new ConsecutiveFailureBreaker(options);
}

class ConsecutiveFailureBreaker implements CircuitBreaker {
  readonly name: string;
  readonly #failureThreshold: number;
  readonly #resetTimeoutMs: number;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #opossum: OpossumBreaker<[Task, AbortSignal], unknown>;
  readonly #abort = new AbortController();

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

    this.#opossum = new OpossumBreaker<[Task, AbortSignal], unknown>(runTask, {
      name: config.name,
      // The caller owns timeouts: opossum must never report one while an attempt is still running.
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
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // opossum: true = "not a failure".
      errorFilter: (error: unknown) => !this.#countsAsFailure(error),
    });

    this.#opossum.on('success', () => this.#onSuccess());
    this.#opossum.on('failure', (error: unknown) => this.#onFailure(error));
    this.#opossum.on('open', () => this.#onOpen());
    this.#opossum.on('halfOpen', () => this.#onHalfOpen());
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
    if (this.#state === 'HALF_OPEN' && !this.#opossum.pendingClose)
      return this.#rejectCall('trial_in_flight');

    this.#inFlight += 1;
    let settled = false;
    const done = (): void => {
      if (!settled) {
        settled = true;
        this.#inFlight -= 1;
      }
    };
    const wrapped: Task = (signal) => {
      try {
        const promise = fn(signal);
        promise.then(done, done);
        return promise;
      } catch (error) {
        done();
        throw error;
      }
    };
    return this.#opossum.fire(wrapped, this.#abort.signal).then(
      (value) => value as T,
      (error: unknown) => {
        done();
        throw this.#translate(error);
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
    if (this.#shutDown) return;
    this.#shutDown = true;
    this.#opossum.shutdown();
    for (const listeners of [this.#stateChange, this.#open, this.#halfOpen, this.#close, this.#reject]) {
      listeners.clear();
    }
    this.#abort.abort(new CircuitOpenError({ breakerName: this.name, retryAfterMs: 0, reason: 'shutdown' }));
  }

  #countsAsFailure(error: unknown): boolean {
    try {
      return this.#isFailure(error) !== false;
    } catch {
      return true;
    }
  }

  #msUntilHalfOpen(): number | null {
    if (this.#state === 'CLOSED') return null;
    if (this.#state === 'HALF_OPEN' || this.#openedAt === null) return 0;
    return Math.max(0, this.#openedAt + this.#resetTimeoutMs - Date.now());
  }

  #rejectCall<T>(reason: CircuitOpenReason, cause?: unknown): Promise<T> {
    return Promise.reject(this.#rejection(reason, cause));
  }

  #rejection(reason: CircuitOpenReason, cause?: unknown): CircuitOpenError {
    const error = new CircuitOpenError({
      breakerName: this.name,
      retryAfterMs: reason === 'open' ? (this.#msUntilHalfOpen() ?? 0) : 0,
      reason,
      cause,
    });
    this.#rejections += 1;
    this.#reject.emit({ name: this.name, error });
    return error;
  }

  /** Opossum's own errors (EOPENBREAKER, ESHUTDOWN, ...) never escape: they become CircuitOpenError. */
  #translate(error: unknown): unknown {
    if (typeof error !== 'object' || error === null || !OpossumBreaker.isOurError(error as Error)) {
      return error;
    }
    if (this.#shutDown || (error as { code?: unknown }).code === 'ESHUTDOWN') {
      return this.#rejection('shutdown', error);
    }
    return this.#rejection(this.#state === 'HALF_OPEN' ? 'trial_in_flight' : 'open', error);
  }

  #onSuccess(): void {
    this.#successes += 1;
    this.#consecutiveFailures = 0;
  }

  #onFailure(error: unknown): void {
    this.#failures += 1;
    this.#consecutiveFailures += 1;
    this.#lastFailureAt = Date.now();
    this.#lastError = error;
    if (
      this.#state === 'HALF_OPEN' ||
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
