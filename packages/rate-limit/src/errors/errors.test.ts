import { describe, expect, it } from 'vitest';
import { isPermissiveTrustProxyError, PermissiveTrustProxyError } from './permissive-trust-proxy-error.js';
import { isRateLimitError, RateLimitError } from './rate-limit-error.js';
import { isRateLimitStoreError, RateLimitStoreError } from './rate-limit-store-error.js';

describe('RateLimitStoreError', () => {
  it('names the windows and the cause, with a stable code', () => {
    const cause = new Error('ECONNREFUSED');
    const one = new RateLimitStoreError(['minute'], cause);
    expect(one).toBeInstanceOf(RateLimitError);
    expect(one.name).toBe('RateLimitStoreError');
    expect(one.code).toBe('ERR_RATE_LIMIT_STORE');
    expect(one.message).toBe('rate-limit store for the minute window failed: ECONNREFUSED');
    expect(one.cause).toBe(cause);
    expect(one.window).toBe('minute');
    const both = new RateLimitStoreError(['minute', 'hour'], 'down');
    expect(both.message).toBe('rate-limit store for the minute, hour windows failed: down');
    expect(both.windows).toEqual(['minute', 'hour']);
    expect(new RateLimitStoreError(['a'], new Error('')).message).toBe(
      'rate-limit store for the a window failed: Error',
    );
  });

  it('has type guards that tell the classes apart', () => {
    const store = new RateLimitStoreError(['minute'], 'x');
    const proxy = new PermissiveTrustProxyError();
    expect([isRateLimitError(store), isRateLimitError(proxy), isRateLimitError(new Error('x'))]).toEqual([
      true,
      true,
      false,
    ]);
    expect([isRateLimitStoreError(store), isRateLimitStoreError(proxy)]).toEqual([true, false]);
    expect([isPermissiveTrustProxyError(proxy), isPermissiveTrustProxyError(store)]).toEqual([true, false]);
    expect(proxy.code).toBe('ERR_RATE_LIMIT_TRUST_PROXY');
    expect(proxy.name).toBe('PermissiveTrustProxyError');
    expect(isRateLimitError({ code: 'ERR_RATE_LIMIT_STORE' })).toBe(false);
  });
});
