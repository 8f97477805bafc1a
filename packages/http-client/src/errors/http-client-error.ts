import type { GiveUpReason } from '../hooks.js';

/** Stable codes of the errors this package throws. */
export type HttpClientErrorCode =
  | 'ERR_HTTP_STATUS'
  | 'ERR_HTTP_TIMEOUT'
  | 'ERR_HTTP_NETWORK'
  | 'ERR_DEADLINE'
  | 'ERR_HTTP_ABORTED'
  | 'ERR_HTTP_REQUEST'
  | 'ERR_HTTP_RESPONSE_TOO_LARGE';

export interface HttpClientErrorOptions {
  /** HTTP method, or `'CALL'` for `callWithProtection`. */
  readonly method: string;
  /** URL without query string or credentials, or the key of a `callWithProtection` call. */
  readonly url: string;
  /** Attempts made when this error happened (1 for the first attempt). */
  readonly attempts: number;
  /** The `X-Request-ID` sent with the request. */
  readonly requestId?: string | undefined;
  /** The underlying error (an AxiosError, a system error, the previous attempt's error...). */
  readonly cause?: unknown;
}

/**
 * Base class of every error thrown by `@resilience/http-client` (the breaker's `CircuitOpenError` aside).
 * Also thrown as such, with code `ERR_HTTP_REQUEST`, for a request that could not be made at all
 * (invalid URL, bad axios option, failing request interceptor): those are never retried.
 */
export class HttpClientError extends Error {
  override name = 'HttpClientError';
  /** Stable, machine-readable code. */
  readonly code: HttpClientErrorCode;
  readonly method: string;
  /** URL without query string or credentials (they may hold secrets). */
  readonly url: string;
  /** Attempts made in total when the call gave up (1 = no retry). */
  readonly attempts: number;
  readonly requestId: string | undefined;
  /** Why the retry policy stopped, set on the error the caller receives. */
  readonly giveUpReason: GiveUpReason | undefined = undefined;

  constructor(code: HttpClientErrorCode, summary: string, options: HttpClientErrorOptions) {
    super(
      `${options.method} ${options.url} ${summary}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.method = options.method;
    this.url = options.url;
    this.attempts = options.attempts;
    this.requestId = options.requestId;
  }
}

/** True when `error` is any error thrown by this package. */
export function isHttpClientError(error: unknown): error is HttpClientError {
  return error instanceof HttpClientError;
}

/**
 * Marks `error` as the one the caller receives: sets `giveUpReason` and appends the explanation to the
 * message (`...; gave up after 4 attempts: retries exhausted`). Internal to the package.
 */
export function markGaveUp(error: HttpClientError, reason: GiveUpReason, explanation: string): void {
  Object.defineProperty(error, 'giveUpReason', { value: reason, enumerable: true, writable: false });
  const attempts = `${error.attempts} attempt${error.attempts === 1 ? '' : 's'}`;
  error.message = `${error.message}; gave up after ${attempts}: ${explanation}`;
}
