import { describe, expect, it } from 'vitest';
import { HTTP_CLIENT_DEFAULTS, type HttpClientOptions, resolveHttpClientOptions } from './options.js';

describe('resolveHttpClientOptions', () => {
  it('fills every default from HTTP_CLIENT_DEFAULTS', () => {
    const resolved = resolveHttpClientOptions({});
    expect(resolved.timeoutMs).toBe(15_000);
    expect(resolved.deadlineMs).toBeUndefined();
    expect(resolved.retry).toMatchObject({
      retries: 3,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      jitter: 'equal',
      maxRetryAfterMs: 30_000,
    });
    expect(resolved.retry.random).toBe(Math.random);
    expect(resolved.breaker).toEqual({ failureThreshold: 5, resetTimeoutMs: 60_000 });
    expect(resolved.retryBudget).toEqual({ ratio: 0.2, windowMs: 10_000, minRetriesPerWindow: 10 });
    expect(resolved.idempotencyKey).toBe(false);
    expect(resolved.headers).toEqual({});
    expect(HTTP_CLIENT_DEFAULTS.retry.retries).toBe(3);
  });

  it('merges with ?? so 0 is kept', () => {
    const resolved = resolveHttpClientOptions({ retry: { retries: 0, baseDelayMs: 0 } });
    expect(resolved.retry.retries).toBe(0);
    expect(resolved.retry.baseDelayMs).toBe(0);
    expect(resolved.retry.maxDelayMs).toBe(30_000);
  });

  it('accepts a number as shorthand for retries and false for none', () => {
    expect(resolveHttpClientOptions({ retry: 2 }).retry.retries).toBe(2);
    expect(resolveHttpClientOptions({ retry: false }).retry.retries).toBe(0);
    expect(resolveHttpClientOptions({ breaker: false }).breaker).toBe(false);
    expect(resolveHttpClientOptions({ retryBudget: false }).retryBudget).toBe(false);
  });

  it('does not mutate the options object', () => {
    const options: HttpClientOptions = {
      baseURL: 'http://example.test',
      headers: { 'x-a': '1' },
      retry: { retries: 2, jitter: 'none' },
      breaker: { failureThreshold: 3 },
      retryBudget: { ratio: 0.5 },
      hooks: {},
    };
    const copy = structuredClone(options);
    const resolved = resolveHttpClientOptions(options);
    expect(options).toEqual(copy);
    expect(resolved.headers).not.toBe(options.headers);
    expect(Object.isFrozen(options)).toBe(false);
  });

  it.each<[string, HttpClientOptions, RegExp]>([
    ['timeoutMs 0', { timeoutMs: 0 }, /option timeoutMs must be a number > 0/],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }, /option timeoutMs/],
    ['deadlineMs negative', { deadlineMs: -1 }, /option deadlineMs/],
    ['retry.retries fractional', { retry: { retries: 1.5 } }, /option retry\.retries must be an integer/],
    ['retry.retries negative', { retry: -1 }, /option retry must be an integer/],
    ['retry.jitter unknown', { retry: { jitter: 'half' as never } }, /option retry\.jitter must be one of/],
    [
      'retry.random not a function',
      { retry: { random: 0.5 as never } },
      /option retry\.random must be a function/,
    ],
    [
      'retry.maxDelayMs below base',
      { retry: { baseDelayMs: 500, maxDelayMs: 100 } },
      /retry\.maxDelayMs must be >=/,
    ],
    ['retry as string', { retry: 'yes' as never }, /option retry must be an object/],
    ['breaker.failureThreshold 0', { breaker: { failureThreshold: 0 } }, /option breaker\.failureThreshold/],
    ['breaker.resetTimeoutMs 0', { breaker: { resetTimeoutMs: 0 } }, /option breaker\.resetTimeoutMs/],
    ['breaker true', { breaker: true as never }, /option breaker must be an object or false/],
    ['retryBudget.ratio above 1', { retryBudget: { ratio: 2 } }, /option retryBudget\.ratio/],
    ['retryBudget.windowMs 0', { retryBudget: { windowMs: 0 } }, /option retryBudget\.windowMs/],
    [
      'retryBudget.minRetriesPerWindow -1',
      { retryBudget: { minRetriesPerWindow: -1 } },
      /minRetriesPerWindow/,
    ],
    ['baseURL relative', { baseURL: '/api' }, /option baseURL must be an absolute http\(s\) URL/],
    ['baseURL ftp', { baseURL: 'ftp://x' }, /option baseURL/],
    ['headers value', { headers: { a: 1 as never } }, /option headers\.a must be a string/],
    ['idempotencyKey string', { idempotencyKey: 'yes' as never }, /option idempotencyKey must be a boolean/],
    ['logger without warn', { logger: {} as never }, /option logger must be a logger/],
    ['hooks.onRetry', { hooks: { onRetry: 1 as never } }, /option hooks\.onRetry must be a function/],
    ['httpAgent', { httpAgent: {} as never }, /option httpAgent/],
    [
      'unknown key',
      { timeout: 1000 } as never,
      /option timeout is not a known option \(did you mean timeoutMs\?\)/,
    ],
    [
      'unknown nested key',
      { retry: { attempts: 3 } } as never,
      /option retry\.attempts is not a known option/,
    ],
  ])('throws a TypeError naming the option: %s', (_name, options, message) => {
    expect(() => resolveHttpClientOptions(options)).toThrow(TypeError);
    expect(() => resolveHttpClientOptions(options)).toThrow(message);
  });
});
