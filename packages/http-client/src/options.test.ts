import { describe, expect, it, vi } from 'vitest';
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
    expect(resolved.maxResponseBytes).toBeUndefined();
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

describe('resolveHttpClientOptions messages and boundaries', () => {
  const MAX_TIMER = 2_147_483_647;
  const MAX_INT = Number.MAX_SAFE_INTEGER;

  it.each<[unknown, string]>([
    [null, 'options must be an object, got null'],
    [[], 'options must be an object, got an array'],
    [new Date(0), 'options must be an object, got an object'],
    [{ timeoutMs: 'x' }, `option timeoutMs must be a number > 0 and <= ${MAX_TIMER}, got "x"`],
    [
      { timeoutMs: Number.POSITIVE_INFINITY },
      `option timeoutMs must be a number > 0 and <= ${MAX_TIMER}, got Infinity`,
    ],
    [
      { timeoutMs: MAX_TIMER + 1 },
      `option timeoutMs must be a number > 0 and <= ${MAX_TIMER}, got ${MAX_TIMER + 1}`,
    ],
    [{ timeoutMs: () => 1 }, `option timeoutMs must be a number > 0 and <= ${MAX_TIMER}, got a function`],
    [{ deadlineMs: 0 }, `option deadlineMs must be a number > 0 and <= ${MAX_TIMER}, got 0`],
    [{ deadlineMs: 'x' }, `option deadlineMs must be a number > 0 and <= ${MAX_TIMER}, got "x"`],
    [{ deadlineMs: Number.NaN }, `option deadlineMs must be a number > 0 and <= ${MAX_TIMER}, got NaN`],
    [
      { deadlineMs: MAX_TIMER + 1 },
      `option deadlineMs must be a number > 0 and <= ${MAX_TIMER}, got ${MAX_TIMER + 1}`,
    ],
    [{ retry: 101 }, 'option retry must be an integer between 0 and 100, got 101'],
    [{ retry: { retries: 101 } }, 'option retry.retries must be an integer between 0 and 100, got 101'],
    [{ retry: null }, 'option retry must be an object, a number of retries or false, got null'],
    [{ retry: [] }, 'option retry must be an object, a number of retries or false, got an array'],
    [
      { retry: { baseDelayMs: -1 } },
      `option retry.baseDelayMs must be a number between 0 and ${MAX_TIMER}, got -1`,
    ],
    [
      { retry: { baseDelayMs: 'x' } },
      `option retry.baseDelayMs must be a number between 0 and ${MAX_TIMER}, got "x"`,
    ],
    [
      { retry: { baseDelayMs: Number.POSITIVE_INFINITY } },
      `option retry.baseDelayMs must be a number between 0 and ${MAX_TIMER}, got Infinity`,
    ],
    [
      { retry: { maxDelayMs: MAX_TIMER + 1 } },
      `option retry.maxDelayMs must be a number between 0 and ${MAX_TIMER}, got ${MAX_TIMER + 1}`,
    ],
    [
      { retry: { maxRetryAfterMs: -1 } },
      `option retry.maxRetryAfterMs must be a number between 0 and ${MAX_TIMER}, got -1`,
    ],
    [{ retry: { jitter: 'half' } }, 'option retry.jitter must be one of equal, full, none, got "half"'],
    [{ retry: { random: 0.5 } }, 'option retry.random must be a function, got 0.5'],
    [
      { retry: { baseDelayMs: 500, maxDelayMs: 499 } },
      'option retry.maxDelayMs must be >= retry.baseDelayMs (500), got 499',
    ],
    [{ breaker: 'x' }, 'option breaker must be an object or false, got "x"'],
    [{ breaker: { threshold: 1 } }, 'option breaker.threshold is not a known option'],
    [
      { breaker: { failureThreshold: 0 } },
      `option breaker.failureThreshold must be an integer between 1 and ${MAX_INT}, got 0`,
    ],
    [
      { breaker: { resetTimeoutMs: MAX_TIMER + 1 } },
      `option breaker.resetTimeoutMs must be an integer between 1 and ${MAX_TIMER}, got ${MAX_TIMER + 1}`,
    ],
    [{ retryBudget: true }, 'option retryBudget must be an object or false, got true'],
    [{ retryBudget: { max: 1 } }, 'option retryBudget.max is not a known option'],
    [{ retryBudget: { ratio: -0.1 } }, 'option retryBudget.ratio must be a number between 0 and 1, got -0.1'],
    [{ retryBudget: { ratio: 1.01 } }, 'option retryBudget.ratio must be a number between 0 and 1, got 1.01'],
    [{ retryBudget: { ratio: 'x' } }, 'option retryBudget.ratio must be a number between 0 and 1, got "x"'],
    [
      { retryBudget: { ratio: Number.NaN } },
      'option retryBudget.ratio must be a number between 0 and 1, got NaN',
    ],
    [
      { retryBudget: { windowMs: 0 } },
      `option retryBudget.windowMs must be an integer between 1 and ${MAX_TIMER}, got 0`,
    ],
    [
      { retryBudget: { minRetriesPerWindow: -1 } },
      `option retryBudget.minRetriesPerWindow must be an integer between 0 and ${MAX_INT}, got -1`,
    ],
    [{ logger: null }, 'option logger must be a logger with warn, info and debug methods, got null'],
    [{ logger: 'x' }, 'option logger must be a logger with warn, info and debug methods, got "x"'],
    [
      { logger: { info() {}, debug() {} } },
      'option logger must be a logger with warn, info and debug methods, got an object',
    ],
    [
      { logger: { warn() {}, debug() {} } },
      'option logger must be a logger with warn, info and debug methods, got an object',
    ],
    [
      { logger: { warn() {}, info() {} } },
      'option logger must be a logger with warn, info and debug methods, got an object',
    ],
    [{ hooks: [] }, 'option hooks must be an object, got an array'],
    [{ hooks: { onError() {} } }, 'option hooks.onError is not a known option'],
    [{ hooks: { onAttempt: 'x' } }, 'option hooks.onAttempt must be a function, got "x"'],
    [{ hooks: { onGiveUp: null } }, 'option hooks.onGiveUp must be a function, got null'],
    [{ now: 5 }, 'option now must be a function, got 5'],
    [{ baseURL: 5 }, 'option baseURL must be an absolute http(s) URL, got 5'],
    [{ baseURL: 'xhttp://a' }, 'option baseURL must be an absolute http(s) URL, got "xhttp://a"'],
    [{ baseURL: 'not a url' }, 'option baseURL must be an absolute http(s) URL, got "not a url"'],
    [{ headers: [] }, 'option headers must be an object of header names to strings, got an array'],
    [{ headers: { 'x-a': 1 } }, 'option headers.x-a must be a string, got 1'],
    [{ idempotencyKey: 'yes' }, 'option idempotencyKey must be a boolean, got "yes"'],
    [{ httpAgent: {} }, 'option httpAgent must be an http(s).Agent, got an object'],
    [{ httpAgent: null }, 'option httpAgent must be an http(s).Agent, got null'],
    [{ httpsAgent: 'x' }, 'option httpsAgent must be an http(s).Agent, got "x"'],
    [{ deadline: 1 }, 'option deadline is not a known option (did you mean deadlineMs?)'],
    [{ baseUrl: 'http://a' }, 'option baseUrl is not a known option (did you mean baseURL?)'],
    [{ retries: 2 }, 'option retries is not a known option (did you mean retry.retries?)'],
    [{ foo: 1 }, 'option foo is not a known option'],
    [{ maxResponseBytes: 0 }, `option maxResponseBytes must be an integer between 1 and ${MAX_INT}, got 0`],
    [
      { maxResponseBytes: 1.5 },
      `option maxResponseBytes must be an integer between 1 and ${MAX_INT}, got 1.5`,
    ],
    [
      { maxResponseBytes: '4mb' },
      `option maxResponseBytes must be an integer between 1 and ${MAX_INT}, got "4mb"`,
    ],
    [
      { maxResponseBytes: Number.POSITIVE_INFINITY },
      `option maxResponseBytes must be an integer between 1 and ${MAX_INT}, got Infinity`,
    ],
  ])('rejects %o with the exact message', (options, message) => {
    expect(() => resolveHttpClientOptions(options as HttpClientOptions)).toThrow(new TypeError(message));
  });

  it('accepts every limit itself', () => {
    const resolved = resolveHttpClientOptions({
      timeoutMs: MAX_TIMER,
      deadlineMs: MAX_TIMER,
      retry: { retries: 100, baseDelayMs: MAX_TIMER, maxDelayMs: MAX_TIMER, maxRetryAfterMs: MAX_TIMER },
      breaker: { failureThreshold: 1, resetTimeoutMs: MAX_TIMER },
      retryBudget: { ratio: 1, windowMs: MAX_TIMER, minRetriesPerWindow: 0 },
      baseURL: 'https://inventory.internal',
    });
    expect(resolved).toMatchObject({
      timeoutMs: MAX_TIMER,
      deadlineMs: MAX_TIMER,
      retry: { retries: 100, baseDelayMs: MAX_TIMER, maxDelayMs: MAX_TIMER, maxRetryAfterMs: MAX_TIMER },
      breaker: { failureThreshold: 1, resetTimeoutMs: MAX_TIMER },
      retryBudget: { ratio: 1, windowMs: MAX_TIMER, minRetriesPerWindow: 0 },
      baseURL: 'https://inventory.internal',
    });
    expect(resolveHttpClientOptions({ retry: 100 }).retry.retries).toBe(100);
    expect(resolveHttpClientOptions({ retry: { baseDelayMs: 500, maxDelayMs: 500 } }).retry.maxDelayMs).toBe(
      500,
    );
    expect(resolveHttpClientOptions({ retryBudget: { ratio: 0 } }).retryBudget).toMatchObject({ ratio: 0 });
    expect(resolveHttpClientOptions({ baseURL: 'http://a' }).baseURL).toBe('http://a');
    expect(resolveHttpClientOptions({ maxResponseBytes: 1 }).maxResponseBytes).toBe(1);
    expect(resolveHttpClientOptions({ maxResponseBytes: MAX_INT }).maxResponseBytes).toBe(MAX_INT);
    for (const jitter of ['equal', 'full', 'none'] as const) {
      expect(resolveHttpClientOptions({ retry: { jitter } }).retry.jitter).toBe(jitter);
    }
  });

  it('accepts objects without a prototype and keeps the given functions', () => {
    const now = (): number => 7;
    const onRetry = (): void => undefined;
    const options = Object.assign(Object.create(null) as HttpClientOptions, { now, hooks: { onRetry } });
    const resolved = resolveHttpClientOptions(options);
    expect(resolved.now).toBe(now);
    expect(resolved.hooks.onRetry).toBe(onRetry);
    // The default clock reads Date.now on each call: a faked Date (fake timers) is honoured. Two real clock reads
    // could differ on a busy machine, so the clock is frozen here.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(1_234_567);
      expect(resolveHttpClientOptions({}).now()).toBe(1_234_567);
    } finally {
      vi.useRealTimers();
    }
  });
});
