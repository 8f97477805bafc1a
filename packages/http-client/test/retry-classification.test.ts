import { AxiosError } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AttemptEvent,
  createHttpClient,
  type HttpClient,
  isHttpStatusError,
  isNetworkError,
  isTimeoutError,
  type RetryEvent,
} from '../src/index.js';
import { advanceSoon, advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { refusedOrigin, startTestServer, type TestServer } from './helpers/test-server.js';

describe('what is retried', () => {
  let server: TestServer;
  let client: HttpClient;
  let retries: RetryEvent[];

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
    retries = [];
    client = createHttpClient({
      baseURL: server.origin,
      retry: { retries: 1, jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it.each([400, 401, 404, 422])('does not retry %i', async (status) => {
    server.script([{ status }]);
    const error = await client.get('/items').catch((e: unknown) => e);
    expect(isHttpStatusError(error) && error.status).toBe(status);
    expect(isHttpStatusError(error) && error.giveUpReason).toBe('not-retryable');
    expect(server.hits).toBe(1);
    expect(retries).toHaveLength(0);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries %i', async (status) => {
    server.script([{ status }]);
    const response = await client.get('/items');
    expect(response.status).toBe(200);
    expect(server.hits).toBe(2);
    expect(retries.map((r) => r.reason)).toEqual([String(status)]);
  });

  it('does not retry 501 (not in the list)', async () => {
    server.script([{ status: 501 }]);
    await expect(client.get('/items')).rejects.toMatchObject({ status: 501, attempts: 1 });
    expect(server.hits).toBe(1);
  });

  it('retries ECONNRESET (socket hang up)', async () => {
    server.script(['reset']);
    const response = await client.get('/items');
    expect(response.status).toBe(200);
    expect(server.hits).toBe(2);
    expect(retries.map((r) => r.reason)).toEqual(['ECONNRESET']);
  });

  it.each([
    ['ENOTFOUND', 2, 'retries-exhausted'],
    ['EAI_AGAIN', 2, 'retries-exhausted'],
    ['CERT_HAS_EXPIRED', 1, 'not-retryable'],
  ])('%s: %i attempt(s), then a NetworkError (%s)', async (code, attempts, giveUpReason) => {
    let calls = 0;
    // What axios' http adapter rejects with when DNS or TLS fails before any response.
    const adapter = async (): Promise<never> => {
      calls += 1;
      throw AxiosError.from(Object.assign(new Error(`failed: ${code}`), { code }), undefined, undefined, {});
    };
    const error = await client.get('/items', { adapter }).catch((e: unknown) => e);
    expect(isNetworkError(error) && error.systemCode).toBe(code);
    expect(error).toMatchObject({ attempts, giveUpReason });
    expect(calls).toBe(attempts);
    expect(retries.map((r) => r.reason)).toEqual(attempts === 2 ? [code] : []);
    expect(server.hits).toBe(0);
  });

  it('retries an attempt timeout', async () => {
    server.script(['hang']);
    server.onRequest(() => {
      if (server.hits === 1) advanceSoon(15_000);
    });
    const response = await client.get('/slow');
    expect(response.status).toBe(200);
    expect(server.hits).toBe(2);
    expect(retries.map((r) => r.reason)).toEqual(['ERR_HTTP_TIMEOUT']);
  });

  it('gives each attempt the full timeout', async () => {
    server.script(['hang', 'hang']);
    const attempts: AttemptEvent[] = [];
    const timed = createHttpClient({
      baseURL: server.origin,
      timeoutMs: 5_000,
      retry: { retries: 1, jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(), onAttempt: (a) => attempts.push(a) },
    });
    server.onRequest(() => advanceSoon(5_000));
    const error = await timed.get('/slow').catch((e: unknown) => e);
    timed.close();
    expect(isTimeoutError(error) && error.timeoutMs).toBe(5_000);
    expect(isTimeoutError(error) && error.attempts).toBe(2);
    // Attempt 2 started 5 s + 1 s after attempt 1 and still got its own 5 s.
    expect(server.requests.map((r) => r.at - (server.requests[0]?.at ?? 0))).toEqual([0, 6_000]);
    expect(attempts.map((a) => a.outcome)).toEqual(['failure', 'failure']);
  });
});

describe('connection refused', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries ECONNREFUSED and then throws a NetworkError with the system code', async () => {
    useFakeTime();
    const origin = await refusedOrigin();
    const retries: RetryEvent[] = [];
    const client = createHttpClient({
      baseURL: origin,
      retry: { retries: 2, jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });
    const error = await client.get('/x').catch((e: unknown) => e);
    client.close();
    expect(isNetworkError(error)).toBe(true);
    expect(isNetworkError(error) && error.systemCode).toBe('ECONNREFUSED');
    expect(isNetworkError(error) && error.attempts).toBe(3);
    expect(retries.map((r) => r.reason)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });
});
