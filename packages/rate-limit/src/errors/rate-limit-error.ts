/** Stable codes of the errors this package throws (option errors are plain `TypeError`s). */
export type RateLimitErrorCode = 'ERR_RATE_LIMIT_STORE' | 'ERR_RATE_LIMIT_TRUST_PROXY';

/** Base class of every error `@resilience/rate-limit` throws or passes to `next()`. */
export class RateLimitError extends Error {
  /** Stable, machine-readable code. */
  readonly code: RateLimitErrorCode;

  constructor(message: string, code: RateLimitErrorCode, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RateLimitError';
    this.code = code;
  }
}

/** True when `error` comes from this package. */
export function isRateLimitError(error: unknown): error is RateLimitError {
  return error instanceof RateLimitError;
}
