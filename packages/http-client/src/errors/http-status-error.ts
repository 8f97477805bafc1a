import { HttpClientError, type HttpClientErrorOptions } from './http-client-error.js';

export interface HttpStatusErrorOptions extends HttpClientErrorOptions {
  readonly status: number;
  readonly statusText?: string | undefined;
  /** Response body as text, already truncated. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly retryAfterMs?: number | undefined;
}

/** The upstream answered with a status that is not accepted (by default anything outside 2xx). */
export class HttpStatusError extends HttpClientError {
  override name = 'HttpStatusError';
  declare readonly code: 'ERR_HTTP_STATUS';
  readonly status: number;
  readonly statusText: string | undefined;
  /** Wait the upstream asked for with `Retry-After` (429/503 and others), in ms; `undefined` if none. */
  readonly retryAfterMs: number | undefined;
  /** Response body as text, truncated to 2 kB (non-enumerable, so logging the error stays small). */
  declare readonly body: string;
  /** Response headers, lower-case names (non-enumerable). */
  declare readonly headers: Readonly<Record<string, string>>;

  constructor(options: HttpStatusErrorOptions) {
    super('ERR_HTTP_STATUS', `failed with status ${options.status}`, options);
    this.status = options.status;
    this.statusText = options.statusText;
    this.retryAfterMs = options.retryAfterMs;
    Object.defineProperty(this, 'body', { value: options.body, enumerable: false });
    Object.defineProperty(this, 'headers', { value: options.headers, enumerable: false });
  }
}

/** True when `error` is an {@link HttpStatusError}. */
export function isHttpStatusError(error: unknown): error is HttpStatusError {
  return error instanceof HttpStatusError;
}
