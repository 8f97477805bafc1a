import { MockApiError } from './mock-api-error.js';

/** A rate-limit store (Redis) failed or did not answer in time; the request was neither counted nor refused. */
export class RateLimitStoreError extends MockApiError {
  /** Which limiter's store failed: `minute` or `hour`. */
  readonly window: string;

  constructor(window: string, cause: unknown) {
    const reason = cause instanceof Error && cause.message !== '' ? cause.message : String(cause);
    super('ERR_RATE_LIMIT_STORE', `rate-limit store for the ${window} window failed: ${reason}`, { cause });
    this.name = 'RateLimitStoreError';
    this.window = window;
  }
}

export function isRateLimitStoreError(value: unknown): value is RateLimitStoreError {
  return value instanceof RateLimitStoreError;
}
