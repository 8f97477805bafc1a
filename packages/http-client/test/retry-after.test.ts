import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClient, isHttpStatusError, type RetryEvent } from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('Retry-After', () => {
  let server: TestServer;
  let client: HttpClient | undefined;
  let retries: RetryEvent[];

  function make(extra: { deadlineMs?: number; maxRetryAfterMs?: number } = {}): HttpClient {
    client = createHttpClient({
      baseURL: server.origin,
      retry: {
        jitter: 'none',
        ...(extra.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: extra.maxRetryAfterMs }),
      },
      deadlineMs: extra.deadlineMs,
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });
    return client;
  }

  beforeEach(async () => {
    useFakeTime();
    vi.setSystemTime(Date.parse('2026-01-01T00:00:00Z'));
    server = await startTestServer();
    retries = [];
  });
  afterEach(async () => {
    client?.close();
    vi.useRealTimers();
    await server.close();
  });

  it('honours seconds on 429, replacing the computed delay', async () => {
    server.script([{ status: 429, headers: { 'retry-after': '7' } }]);
    await make().get('/x');
    expect(retries.map((r) => [r.delayMs, r.retryAfterMs])).toEqual([[7000, 7000]]);
    expect((server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0)).toBe(7000);
  });

  it('honours an HTTP-date on 503', async () => {
    server.script([{ status: 503, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' } }]);
    await make().get('/x');
    expect(retries.map((r) => r.delayMs)).toEqual([3000]);
  });

  it('ignores Retry-After on other statuses (500 uses the backoff)', async () => {
    server.script([{ status: 500, headers: { 'retry-after': '9' } }]);
    await make().get('/x');
    expect(retries.map((r) => [r.delayMs, r.retryAfterMs])).toEqual([[1000, undefined]]);
  });

  it('caps the wait at retry.maxRetryAfterMs', async () => {
    server.script([{ status: 503, headers: { 'retry-after': '3600' } }]);
    await make({ maxRetryAfterMs: 10_000 }).get('/x');
    expect(retries.map((r) => [r.delayMs, r.retryAfterMs])).toEqual([[10_000, 3_600_000]]);
  });

  it('refuses to wait beyond the deadline and gives up at once with the last error', async () => {
    server.script([{ status: 429, headers: { 'retry-after': '20' } }]);
    const error = await make({ deadlineMs: 5_000 })
      .get('/x')
      .catch((e: unknown) => e);
    expect(isHttpStatusError(error)).toBe(true);
    if (!isHttpStatusError(error)) return;
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(20_000);
    expect(error.giveUpReason).toBe('retry-after-exceeds-deadline');
    expect(error.message).toMatch(
      /Retry-After wait of 20000 ms does not fit the \d+ ms left before the deadline/,
    );
    expect(server.hits).toBe(1);
    expect(retries).toHaveLength(0);
  });
});
