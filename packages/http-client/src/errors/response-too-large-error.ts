import { HttpClientError, type HttpClientErrorOptions } from './http-client-error.js';

export interface ResponseTooLargeErrorOptions extends HttpClientErrorOptions {
  readonly limitBytes: number;
}

/**
 * The upstream's answer had a body larger than `maxResponseBytes` (counted after decompression): the client
 * stopped reading it. Not retried (the same request would most likely get the same body), and a sign of life
 * for the breaker (the upstream answered).
 */
export class ResponseTooLargeError extends HttpClientError {
  override name = 'ResponseTooLargeError';
  declare readonly code: 'ERR_HTTP_RESPONSE_TOO_LARGE';
  /** The limit the body went over, in bytes. */
  readonly limitBytes: number;

  constructor(options: ResponseTooLargeErrorOptions) {
    super(
      'ERR_HTTP_RESPONSE_TOO_LARGE',
      `answered a body over the ${options.limitBytes}-byte limit`,
      options,
    );
    this.limitBytes = options.limitBytes;
  }
}

/** True when `error` is a {@link ResponseTooLargeError}. */
export function isResponseTooLargeError(error: unknown): error is ResponseTooLargeError {
  return error instanceof ResponseTooLargeError;
}
