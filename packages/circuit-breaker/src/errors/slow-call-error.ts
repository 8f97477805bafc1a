import { CircuitBreakerError } from './circuit-breaker-error.js';

/**
 * Stands for a call that succeeded but took at least `slowCallDurationMs`, which the breaker counted as a
 * failure. Never thrown to a caller (the caller got the call's result): it is the `lastError` of an
 * {@link OpenEvent} when a slow call opened the breaker.
 */
export class SlowCallError extends CircuitBreakerError {
  /** Name of the breaker that counted the call. */
  readonly breakerName: string;
  /** The `slowCallDurationMs` the call reached. */
  readonly slowCallDurationMs: number;

  constructor(breakerName: string, slowCallDurationMs: number) {
    super(
      `Circuit "${breakerName}" counted a call slower than ${slowCallDurationMs} ms as a failure`,
      'ERR_CIRCUIT_SLOW_CALL',
    );
    this.name = 'SlowCallError';
    this.breakerName = breakerName;
    this.slowCallDurationMs = slowCallDurationMs;
  }
}

/** True when `error` is a {@link SlowCallError}. */
export function isSlowCallError(error: unknown): error is SlowCallError {
  return error instanceof SlowCallError;
}
