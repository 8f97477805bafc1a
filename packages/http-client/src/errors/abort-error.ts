import { HttpClientError, type HttpClientErrorOptions } from './http-client-error.js';

/**
 * The caller's `AbortSignal` fired: the attempt in flight or the pending backoff was cancelled.
 * `cause` is the signal's reason (or the previous attempt's error when aborted during backoff).
 */
export class AbortError extends HttpClientError {
  override name = 'AbortError';
  declare readonly code: 'ERR_HTTP_ABORTED';

  constructor(options: HttpClientErrorOptions) {
    super('ERR_HTTP_ABORTED', 'was aborted by the caller', options);
  }
}

/** True when `error` is an {@link AbortError} thrown by this package. */
export function isAbortError(error: unknown): error is AbortError {
  return error instanceof AbortError;
}
