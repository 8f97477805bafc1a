import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHttpClient,
  type HttpClient,
  HttpStatusError,
  isHttpStatusError,
  type RetryEvent,
} from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('retry schedule', () => {
  let server: TestServer;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    vi.useRealTimers();
    await server.close();
  });

  it('waits exactly 1 s, 2 s, 4 s with jitter none, 4 attempts in total', async () => {
    server.script([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const retries: RetryEvent[] = [];
    client = createHttpClient({
      baseURL: server.origin,
      retry: { jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });

    const error = await client.get('/items').catch((e: unknown) => e);

    expect(isHttpStatusError(error)).toBe(true);
    expect(retries.map((r) => r.delayMs)).toEqual([1000, 2000, 4000]);
    expect(server.hits).toBe(4);
    const gaps = server.requests.slice(1).map((r, i) => r.at - (server.requests[i]?.at ?? 0));
    expect(gaps).toEqual([1000, 2000, 4000]);
  });

  it('keeps each equal-jitter delay within [nominal/2, nominal]', async () => {
    server.script([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }]);
    const low: RetryEvent[] = [];
    const high: RetryEvent[] = [];
    for (const [random, record] of [
      [() => 0, low],
      [() => 0.999_999, high],
    ] as const) {
      server.script([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }]);
      const c = createHttpClient({
        baseURL: server.origin,
        retry: { jitter: 'equal', random },
        retryBudget: false,
        logger: captureLogs().logger,
        hooks: { onRetry: advancingOnRetry(record) },
      });
      await c.get('/items').catch(() => undefined);
      c.close();
    }
    expect(low.map((r) => r.delayMs)).toEqual([500, 1000, 2000]);
    expect(high.map((r) => r.delayMs)).toEqual([1000, 2000, 4000]);
  });

  it('returns the response when attempt 3 succeeds', async () => {
    server.script([{ status: 502 }, { status: 504 }, { status: 200, body: '{"id":7}' }]);
    client = createHttpClient({
      baseURL: server.origin,
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry() },
    });

    const response = await client.get<{ id: number }>('/items/7');

    expect(response.status).toBe(200);
    expect(response.data).toEqual({ id: 7 });
    expect(server.hits).toBe(3);
  });

  it('after 4 failures throws a typed error with attempts 4 and the cause', async () => {
    server.script([{ status: 500 }, { status: 500 }, { status: 500 }, { status: 503, body: 'still down' }]);
    client = createHttpClient({
      baseURL: server.origin,
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry() },
    });

    const error = await client.get('/items?token=secret').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpStatusError);
    const statusError = error as HttpStatusError;
    expect(statusError.attempts).toBe(4);
    expect(statusError.status).toBe(503);
    expect(statusError.body).toBe('still down');
    expect(statusError.giveUpReason).toBe('retries-exhausted');
    expect(statusError.cause).toBeInstanceOf(Error);
    expect((statusError.cause as Error).name).toBe('AxiosError');
    expect(statusError.message).toContain(`GET ${server.origin}/items`);
    expect(statusError.message).not.toContain('secret');
    expect(statusError.message).toContain('4 attempts');
  });
});
