import { HttpClientError, type HttpClientErrorOptions } from './http-client-error.js';

export interface TimeoutErrorOptions extends HttpClientErrorOptions {
  readonly timeoutMs: number;
}

/** An attempt got no complete answer within `timeoutMs`. */
export class TimeoutError extends HttpClientError {
  override name = 'TimeoutError';
  declare readonly code: 'ERR_HTTP_TIMEOUT';
  /** The per-attempt limit that expired. */
  readonly timeoutMs: number;

  constructor(options: TimeoutErrorOptions) {
    super('ERR_HTTP_TIMEOUT', `timed out after ${options.timeoutMs} ms`, options);
    this.timeoutMs = options.timeoutMs;
  }
}

/** True when `error` is a {@link TimeoutError}. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError;
}
