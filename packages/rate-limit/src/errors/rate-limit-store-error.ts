import { RateLimitError } from './rate-limit-error.js';

/**
 * A rate-limit store failed or did not answer (its `cause` says why): the request was neither counted nor
 * refused by it. Under `onStoreError: 'closed'` the middleware passes it to `next()`; under `'open'` the request
 * is counted by the in-process insurance limiter and the error only reaches the `onStoreError` hook.
 */
export class RateLimitStoreError extends RateLimitError {
  /** The windows whose counting failed (one for a per-window store, all of them for a multi-window store). */
  readonly windows: readonly string[];

  constructor(windows: readonly string[], cause: unknown) {
    const reason = cause instanceof Error && cause.message !== '' ? cause.message : String(cause);
    const which = windows.length === 1 ? `the ${windows[0]} window` : `the ${windows.join(', ')} windows`;
    super(`rate-limit store for ${which} failed: ${reason}`, 'ERR_RATE_LIMIT_STORE', { cause });
    this.name = 'RateLimitStoreError';
    this.windows = Object.freeze([...windows]);
  }

  /** The first (for a per-window store, the only) window that failed. */
  get window(): string {
    return this.windows[0] ?? '';
  }
}

/** True when `error` is a {@link RateLimitStoreError}. */
export function isRateLimitStoreError(error: unknown): error is RateLimitStoreError {
  return error instanceof RateLimitStoreError;
}
