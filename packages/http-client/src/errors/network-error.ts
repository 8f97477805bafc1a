import { HttpClientError, type HttpClientErrorOptions } from './http-client-error.js';

export interface NetworkErrorOptions extends HttpClientErrorOptions {
  readonly systemCode: string | undefined;
}

/** No HTTP answer: connection refused or reset, DNS failure, socket hang-up, TLS failure... */
export class NetworkError extends HttpClientError {
  override name = 'NetworkError';
  declare readonly code: 'ERR_HTTP_NETWORK';
  /** The system error code (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `EAI_AGAIN`, `EPIPE`...), if any. */
  readonly systemCode: string | undefined;

  constructor(options: NetworkErrorOptions) {
    super('ERR_HTTP_NETWORK', `failed: ${options.systemCode ?? 'network error'}`, options);
    this.systemCode = options.systemCode;
  }
}

/** True when `error` is a {@link NetworkError}. */
export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof NetworkError;
}
