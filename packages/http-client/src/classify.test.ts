import { AxiosError, AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import {
  type AttemptInfo,
  bodyToText,
  countsAsBreakerFailure,
  describeTypedFailure,
  isRetryableError,
  MAX_ERROR_BODY_LENGTH,
  toHttpClientError,
} from './classify.js';
import { AbortError } from './errors/abort-error.js';
import { DeadlineExceededError } from './errors/deadline-exceeded-error.js';
import { HttpClientError } from './errors/http-client-error.js';
import { HttpStatusError, isHttpStatusError } from './errors/http-status-error.js';
import { isNetworkError, NetworkError } from './errors/network-error.js';
import { isTimeoutError, TimeoutError } from './errors/timeout-error.js';

const info: AttemptInfo = {
  method: 'GET',
  url: 'http://inventory:8080/items',
  attempts: 1,
  requestId: 'req-1',
  timeoutMs: 1000,
  now: 0,
};

/** What axios' http adapter rejects with when the socket fails before any response (`AxiosError.from`). */
function networkFailure(code: string, message = `connect ${code}`): AxiosError {
  const systemError = Object.assign(new Error(message), { code });
  return AxiosError.from(systemError, undefined, undefined, {});
}

describe('toHttpClientError with a network failure', () => {
  it.each([
    ['ENOTFOUND', 'a DNS name that does not resolve'],
    ['EAI_AGAIN', 'a temporary DNS failure'],
  ])('turns %s (%s) into a retryable NetworkError counted by the breaker', (code) => {
    const error = toHttpClientError(networkFailure(code, `getaddrinfo ${code} inventory`), info);
    expect(error).toBeInstanceOf(NetworkError);
    expect(isNetworkError(error) && error.systemCode).toBe(code);
    expect(isRetryableError(error)).toBe(true);
    expect(countsAsBreakerFailure(error)).toBe(true);
    expect(describeTypedFailure(error)).toMatchObject({
      retryable: true,
      countsAsFailure: true,
      breakerIgnores: false,
      reason: code,
    });
  });

  it('turns CERT_HAS_EXPIRED into a NetworkError that is not retried but is counted by the breaker', () => {
    const error = toHttpClientError(networkFailure('CERT_HAS_EXPIRED', 'certificate has expired'), info);
    expect(error).toBeInstanceOf(NetworkError);
    expect(isNetworkError(error) && error.systemCode).toBe('CERT_HAS_EXPIRED');
    expect(isRetryableError(error)).toBe(false);
    expect(countsAsBreakerFailure(error)).toBe(true);
    expect(describeTypedFailure(error)).toMatchObject({
      retryable: false,
      countsAsFailure: true,
      reason: 'CERT_HAS_EXPIRED',
    });
  });

  it('keeps the AxiosError as cause and names method and URL', () => {
    const raw = networkFailure('ENOTFOUND');
    expect(raw.code).toBe('ENOTFOUND');
    const error = toHttpClientError(raw, info);
    expect(error.cause).toBe(raw);
    expect(error.message).toContain('GET http://inventory:8080/items');
    expect(error).toMatchObject({ method: 'GET', attempts: 1, requestId: 'req-1' });
  });
});

/** An AxiosError as axios rejects it for an answer outside validateStatus. */
function statusFailure(status: number, data: unknown, headers: unknown, statusText = 'Status'): AxiosError {
  return new AxiosError(
    `Request failed with status code ${status}`,
    'ERR_BAD_RESPONSE',
    undefined,
    {},
    {
      status,
      statusText,
      data,
      headers: headers as Record<string, string>,
      config: { headers: new AxiosHeaders() },
    },
  );
}

describe('toHttpClientError with a timeout', () => {
  it.each(['ECONNABORTED', 'ETIMEDOUT'])(
    'turns %s into a retryable TimeoutError naming the limit',
    (code) => {
      const error = toHttpClientError(networkFailure(code), info);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.code).toBe('ERR_HTTP_TIMEOUT');
      expect(error.message).toBe('GET http://inventory:8080/items timed out after 1000 ms');
      expect(isTimeoutError(error) && error.timeoutMs).toBe(1000);
      expect(describeTypedFailure(error)).toMatchObject({
        retryable: true,
        countsAsFailure: true,
        breakerIgnores: false,
        reason: 'ERR_HTTP_TIMEOUT',
        status: undefined,
        retryAfterMs: undefined,
      });
    },
  );

  it("reads the code from the cause when axios' own error has none", () => {
    const raw = new AxiosError('connect timed out');
    raw.cause = Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:80'), { code: 'ETIMEDOUT' });
    expect(raw.code).toBeUndefined();
    expect(toHttpClientError(raw, info)).toBeInstanceOf(TimeoutError);
  });

  it('reads ECONNRESET from the cause as a retryable NetworkError with that system code', () => {
    const raw = new AxiosError('socket hang up');
    raw.cause = { code: 'ECONNRESET' } as unknown as Error;
    const error = toHttpClientError(raw, info);
    expect(isNetworkError(error) && error.systemCode).toBe('ECONNRESET');
    expect(error.message).toBe('GET http://inventory:8080/items failed: ECONNRESET');
  });
});

describe('toHttpClientError with no code at all', () => {
  it('gives a NetworkError without system code that is not retried', () => {
    const raw = new AxiosError('something broke');
    raw.cause = { code: 42 } as unknown as Error;
    const error = toHttpClientError(raw, info);
    expect(error).toBeInstanceOf(NetworkError);
    expect(isNetworkError(error) && error.systemCode).toBeUndefined();
    expect(error.message).toBe('GET http://inventory:8080/items failed: network error');
    expect(describeTypedFailure(error)).toMatchObject({
      retryable: false,
      countsAsFailure: true,
      reason: 'ERR_HTTP_NETWORK',
    });
  });

  it('ignores a cause that is not an object', () => {
    const raw = new AxiosError('something broke');
    raw.cause = 'ETIMEDOUT' as never;
    expect(toHttpClientError(raw, info)).toBeInstanceOf(NetworkError);
  });
});

describe('toHttpClientError with a request that could not be sent', () => {
  it.each([
    'ERR_BAD_OPTION_VALUE',
    'ERR_BAD_OPTION',
    'ERR_INVALID_URL',
    'ERR_NOT_SUPPORT',
    'ERR_DEPRECATED',
    'ERR_FR_TOO_MANY_REDIRECTS',
    'ERR_BAD_RESPONSE',
    'ERR_FORM_DATA_DEPTH_EXCEEDED',
  ])('turns axios code %s into ERR_HTTP_REQUEST, never retried nor counted by the breaker', (code) => {
    const raw = new AxiosError(`bad thing (${code})`, code);
    const error = toHttpClientError(raw, info);
    expect(error.constructor).toBe(HttpClientError);
    expect(error.code).toBe('ERR_HTTP_REQUEST');
    expect(error.message).toBe(`GET http://inventory:8080/items could not be sent: bad thing (${code})`);
    expect(error.cause).toBe(raw);
    expect(describeTypedFailure(error)).toMatchObject({
      retryable: false,
      countsAsFailure: false,
      breakerIgnores: false,
      reason: 'ERR_HTTP_REQUEST',
    });
  });

  it('turns what is not an AxiosError (a throwing interceptor) into ERR_HTTP_REQUEST with its message', () => {
    const raw = new RangeError('interceptor failed');
    const error = toHttpClientError(raw, info);
    expect(error.constructor).toBe(HttpClientError);
    expect(error).toMatchObject({ code: 'ERR_HTTP_REQUEST', attempts: 1, requestId: 'req-1', cause: raw });
    expect(error.message).toBe('GET http://inventory:8080/items could not be sent: interceptor failed');
    expect(toHttpClientError('plain text', info).message).toBe(
      'GET http://inventory:8080/items could not be sent: plain text',
    );
  });

  it('passes an error of this package through untouched', () => {
    const typed = new TimeoutError({ method: 'GET', url: 'http://x/', attempts: 2, timeoutMs: 5 });
    expect(toHttpClientError(typed, info)).toBe(typed);
  });
});

describe('toHttpClientError with a status', () => {
  it('keeps status, status text, body and lower-cased headers (lists joined, null dropped)', () => {
    const raw = statusFailure(
      503,
      'busy',
      { 'Retry-After': '3', 'X-Multi': ['a', 'b'], 'X-Null': null, 'X-Undefined': undefined, 'X-Count': 5 },
      'Service Unavailable',
    );
    const error = toHttpClientError(raw, { ...info, attempts: 3 });
    expect(error).toBeInstanceOf(HttpStatusError);
    if (!isHttpStatusError(error)) throw new Error('not an HttpStatusError');
    expect(error.message).toBe('GET http://inventory:8080/items failed with status 503');
    expect(error).toMatchObject({ status: 503, statusText: 'Service Unavailable', attempts: 3, cause: raw });
    expect(error.body).toBe('busy');
    expect(error.headers).toEqual({ 'retry-after': '3', 'x-multi': 'a, b', 'x-count': '5' });
    expect(error.retryAfterMs).toBe(3000);
    expect(describeTypedFailure(error)).toMatchObject({
      retryable: true,
      countsAsFailure: true,
      breakerIgnores: false,
      reason: '503',
      status: 503,
      retryAfterMs: 3000,
    });
  });

  it('reads AxiosHeaders and an HTTP-date Retry-After against the attempt clock', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const headers = new AxiosHeaders({
      'Retry-After': 'Thu, 01 Jan 2026 00:00:07 GMT',
      'Content-Type': 'x/y',
    });
    const error = toHttpClientError(statusFailure(429, '', headers), { ...info, now });
    if (!isHttpStatusError(error)) throw new Error('not an HttpStatusError');
    expect(error.headers).toEqual({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT', 'content-type': 'x/y' });
    expect(error.retryAfterMs).toBe(7000);
    expect(describeTypedFailure(error).retryAfterMs).toBe(7000);
  });

  it('gives an empty header record when the response has no headers object', () => {
    const error = toHttpClientError(statusFailure(404, undefined, undefined), info);
    if (!isHttpStatusError(error)) throw new Error('not an HttpStatusError');
    expect(error.headers).toEqual({});
    expect(error.body).toBe('');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('keeps Retry-After on the error but waits by it only for 429 and 503', () => {
    const error = toHttpClientError(statusFailure(500, '', { 'retry-after': '2' }), info);
    expect(isHttpStatusError(error) && error.retryAfterMs).toBe(2000);
    expect(describeTypedFailure(error)).toMatchObject({ reason: '500', retryAfterMs: undefined });
  });
});

describe('isRetryableError and countsAsBreakerFailure', () => {
  const base = { method: 'GET', url: 'http://x/', attempts: 1 };
  const status = (s: number): HttpStatusError =>
    new HttpStatusError({ ...base, status: s, body: '', headers: {} });

  it.each([
    [408, true, true],
    [429, true, false],
    [500, true, true],
    [501, false, true],
    [502, true, true],
    [503, true, true],
    [504, true, true],
    [499, false, false],
    [400, false, false],
    [404, false, false],
  ])('status %i: retried %s, counted by the breaker %s', (s, retryable, counted) => {
    expect(isRetryableError(status(s))).toBe(retryable);
    expect(countsAsBreakerFailure(status(s))).toBe(counted);
  });

  it('classifies each typed error and anything else', () => {
    const timeout = new TimeoutError({ ...base, timeoutMs: 1 });
    const network = new NetworkError({ ...base, systemCode: 'EPIPE' });
    const aborted = new AbortError(base);
    const deadline = new DeadlineExceededError({ ...base, deadlineMs: 10 });
    const request = new HttpClientError('ERR_HTTP_REQUEST', 'could not be sent', base);
    expect([timeout, network, aborted, deadline, request].map((error) => isRetryableError(error))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect([timeout, network, aborted, deadline, request].map(countsAsBreakerFailure)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(countsAsBreakerFailure(new Error('anything else'))).toBe(true);
    expect(describeTypedFailure(aborted)).toMatchObject({
      retryable: false,
      countsAsFailure: false,
      breakerIgnores: true,
      reason: 'ERR_HTTP_ABORTED',
    });
    expect(describeTypedFailure(deadline)).toMatchObject({ breakerIgnores: true, reason: 'ERR_DEADLINE' });
    expect(describeTypedFailure(network).reason).toBe('EPIPE');
  });
});

describe('bodyToText', () => {
  it('turns each kind of body into text', () => {
    expect(bodyToText(undefined)).toBe('');
    expect(bodyToText(null)).toBe('');
    expect(bodyToText('plain')).toBe('plain');
    expect(bodyToText(Buffer.from('bytes é', 'utf8'))).toBe('bytes é');
    expect(bodyToText(new TextEncoder().encode('array buffer é').buffer)).toBe('array buffer é');
    expect(bodyToText({ pipe: () => undefined })).toBe('[stream]');
    expect(bodyToText({ error: 'nope', items: [1] })).toBe('{"error":"nope","items":[1]}');
    expect(bodyToText(42)).toBe('42');
    expect(bodyToText(false)).toBe('false');
  });

  it('falls back to String() for what JSON cannot write', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(bodyToText(circular)).toBe('[object Object]');
    expect(bodyToText(10n)).toBe('10');
    expect(bodyToText(Symbol.for('s'))).toBe('Symbol(s)');
  });

  it('keeps exactly 2,048 characters and cuts anything longer, marking the cut', () => {
    expect(MAX_ERROR_BODY_LENGTH).toBe(2048);
    const exact = 'a'.repeat(2048);
    expect(bodyToText(exact)).toBe(exact);
    expect(bodyToText(`${exact}b`)).toBe(`${exact}…[truncated]`);
    expect(bodyToText(Buffer.from('c'.repeat(9000)))).toBe(`${'c'.repeat(2048)}…[truncated]`);
    expect(bodyToText(new TextEncoder().encode('d'.repeat(9000)).buffer)).toBe(
      `${'d'.repeat(2048)}…[truncated]`,
    );
    expect(bodyToText({ text: 'e'.repeat(3000) })).toBe(`{"text":"${'e'.repeat(2039)}…[truncated]`);
  });

  it('decodes multi-byte characters up to the kept length', () => {
    // 2,049 three-byte characters: more bytes than 2,048 x 1, fewer than 2,048 x 4.
    expect(bodyToText(Buffer.from('€'.repeat(2049)))).toBe(`${'€'.repeat(2048)}…[truncated]`);
  });
});
