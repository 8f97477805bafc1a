import { RateLimitError } from './rate-limit-error.js';

/**
 * The Express app trusts every proxy (`app.set('trust proxy', true)`): any client could pick its own address
 * with `X-Forwarded-For` and escape its limit. Passed to `next()` instead of limiting; set a hop count or a list
 * of proxy addresses, or `identify.allowPermissiveTrustProxy: true` to accept the risk.
 */
export class PermissiveTrustProxyError extends RateLimitError {
  constructor() {
    super(
      "Express 'trust proxy' is true: every client could choose its own address with X-Forwarded-For; " +
        'trust a hop count or a list of proxy addresses instead',
      'ERR_RATE_LIMIT_TRUST_PROXY',
    );
    this.name = 'PermissiveTrustProxyError';
  }
}

/** True when `error` is a {@link PermissiveTrustProxyError}. */
export function isPermissiveTrustProxyError(error: unknown): error is PermissiveTrustProxyError {
  return error instanceof PermissiveTrustProxyError;
}
