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
}

/** A consecutive-failure circuit breaker. */
export interface CircuitBreaker {
  /** The breaker's name (the upstream key when it lives in a registry). */
  readonly name: string;
  /** Current state. */
  readonly state: CircuitState;
  /**
   * Runs `fn` under the breaker. Resolves or rejects with what `fn` does; rejects with
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
