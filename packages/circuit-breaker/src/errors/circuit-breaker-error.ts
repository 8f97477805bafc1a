/** Stable codes of the errors this package throws. */
export type CircuitBreakerErrorCode = 'ERR_CIRCUIT_OPEN' | 'ERR_CIRCUIT_SLOW_CALL';

/**
 * Base class of every error thrown by `@resilience/circuit-breaker` itself
 * (errors thrown by the protected function are rethrown untouched).
 */
export class CircuitBreakerError extends Error {
  /** Stable, machine-readable code. */
  readonly code: CircuitBreakerErrorCode;

  constructor(message: string, code: CircuitBreakerErrorCode, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CircuitBreakerError';
    this.code = code;
  }
}

/** True when `error` was thrown by this package. */
export function isCircuitBreakerError(error: unknown): error is CircuitBreakerError {
  return error instanceof CircuitBreakerError;
}
