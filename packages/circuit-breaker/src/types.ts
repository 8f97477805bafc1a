import type { CircuitOpenError } from './errors/circuit-open-error.js';

/** The three states of a breaker. */
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** Removes the listener it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

export interface StateChangeEvent {
  readonly name: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

export interface OpenEvent {
  readonly name: string;
  /** Consecutive failures counted when the breaker opened (`>= failureThreshold`; 1 for a failed trial). */
  readonly consecutiveFailures: number;
  /** The error that opened the breaker. */
  readonly lastError: unknown;
  /** Milliseconds until the trial call (the full `resetTimeoutMs`). */
  readonly retryAfterMs: number;
}

export interface HalfOpenEvent {
  readonly name: string;
}

export interface CloseEvent {
  readonly name: string;
}

export interface RejectEvent {
  readonly name: string;
  /** The error the caller received. */
  readonly error: CircuitOpenError;
}

/** A point-in-time view of a breaker, cheap to take (no allocation beyond the object). */
export interface CircuitBreakerStats {
  readonly name: string;
  readonly state: CircuitState;
  /** Failures in a row since the last success (or since the breaker closed). */
  readonly consecutiveFailures: number;
  /** Epoch ms of the last counted failure, `null` if none yet. */
  readonly lastFailureAt: number | null;
  /** Epoch ms when the breaker last opened, `null` if it never did. */
  readonly openedAt: number | null;
  /** While OPEN: ms until the trial call is let through; `0` while HALF_OPEN; `null` while CLOSED. */
  readonly msUntilHalfOpen: number | null;
  /** Calls currently running under the breaker. */
  readonly inFlight: number;
  /** Lifetime totals. */
  readonly successes: number;
  readonly failures: number;
  readonly rejections: number;
  /** Lifetime total of calls that ended with an ignored error (see `isIgnored`). */
  readonly ignored: number;
  /** Lifetime total of successful calls counted as failures for being slow (see `slowCallDurationMs`); included in `failures`. */
  readonly slowCalls: number;
  /** Under `policy: 'failure-rate'`: counted calls in the window now (`0` under `'consecutive'`). */
  readonly windowCalls: number;
  /** Under `policy: 'failure-rate'`: failures among `windowCalls`. */
  readonly windowFailures: number;
}

/**
 * The right to make one call under a breaker, from {@link CircuitBreaker.acquire}. The caller runs the call
 * itself and then says how it counted; the first report wins, later ones are no-ops.
 */
export interface BreakerPermit {
  /** Whether this call is a HALF_OPEN trial. */
  readonly trial: boolean;
  /** Whether an outcome has been reported. */
  readonly settled: boolean;
  /** The call succeeded (a sign of life). Counted as a failure if it took `slowCallDurationMs` or more. */
  success(): void;
  /** The call failed; `error` becomes the `lastError` of the open event if this failure opens the breaker. */
  failure(error?: unknown): void;
  /** The call says nothing about the upstream (the caller gave up, a deadline cut it): counts neither way. */
  ignore(): void;
}

/** A circuit breaker (consecutive-failure or failure-rate policy). */
export interface CircuitBreaker {
  /** The breaker's name (the upstream key when it lives in a registry). */
  readonly name: string;
  /** Current state. */
  readonly state: CircuitState;
  /**
   * Admits one call and returns its permit, or throws the {@link CircuitOpenError} of a refused call
   * (OPEN, every half-open probe in flight, shut down). The caller must report the outcome on the permit.
   */
  acquire(): BreakerPermit;
  /** {@link CircuitBreaker.acquire} without the throw: returns the `CircuitOpenError` instead. */
  tryAcquire(): BreakerPermit | CircuitOpenError;
  /** Aborted when the breaker shuts down; hand it to calls made under a permit. */
  readonly signal: AbortSignal;
  /**
   * Runs `fn` under a permit, classified by `isIgnored` / `isFailure`. Resolves or rejects with what `fn` does; rejects with
   * {@link CircuitOpenError} without calling `fn` while OPEN, while a half-open trial is running,
   * or after {@link CircuitBreaker.shutdown}. `signal` is aborted when the breaker shuts down.
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  stats(): CircuitBreakerStats;
  onStateChange(listener: (event: StateChangeEvent) => void): Unsubscribe;
  onOpen(listener: (event: OpenEvent) => void): Unsubscribe;
  onHalfOpen(listener: (event: HalfOpenEvent) => void): Unsubscribe;
  onClose(listener: (event: CloseEvent) => void): Unsubscribe;
  onReject(listener: (event: RejectEvent) => void): Unsubscribe;
  /**
   * Stops every timer, aborts the signal handed to running calls, removes every listener.
   * Later calls are rejected with a {@link CircuitOpenError} (`reason: 'shutdown'`). Idempotent.
   */
  shutdown(): void;
}
