import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createDeadline,
  createHttpClient,
  DeadlineExceededError,
  type HttpClient,
  isHttpStatusError,
  isTimeoutError,
  type RetryEvent,
} from '../src/index.js';
import { advanceSoon, advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('deadlineMs', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it('cuts the attempt in flight when the deadline expires', async () => {
    server.script(['hang']);
    client = createHttpClient({
      baseURL: server.origin,
      deadlineMs: 3_000,
      breaker: false,
      logger: captureLogs().logger,
    });
    server.onRequest(() => advanceSoon(3_000));

    const error = await client.get('/slow').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({
      code: 'ERR_DEADLINE',
      deadlineMs: 3_000,
      attempts: 1,
      giveUpReason: 'deadline-exceeded',
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends by a deadline shared with the caller (deadline option), which wins over deadlineMs', async () => {
    server.script(['hang']);
    client = createHttpClient({ baseURL: server.origin, breaker: false, logger: captureLogs().logger });
    const deadline = createDeadline(2_000);
    server.onRequest(() => advanceSoon(2_000));

    const error = await client.get('/slow', { deadline, deadlineMs: 60_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ deadlineMs: 2_000, attempts: 1, giveUpReason: 'deadline-exceeded' });
    expect(deadline.expired()).toBe(true);
    await expect(client.get('/x', { deadline: { at: 1 } as never })).rejects.toThrow(/option deadline/);
  });

  it('counts attempts and backoff together, and keeps the previous failure as cause', async () => {
    server.script([{ status: 503 }, 'hang']);
    const retries: RetryEvent[] = [];
    client = createHttpClient({
      baseURL: server.origin,
      deadlineMs: 2_500,
      retry: { jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });
    server.onRequest(() => {
      if (server.hits === 2) advanceSoon(1_500);
    });

    const error = await client.get('/x').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).attempts).toBe(2);
    expect(isHttpStatusError((error as DeadlineExceededError).cause)).toBe(true);
    expect(retries.map((r) => r.delayMs)).toEqual([1000]);
  });

  it('gives up at once with the last error when the next backoff would end after the deadline', async () => {
    server.script([{ status: 503 }, { status: 503 }]);
    client = createHttpClient({
      baseURL: server.origin,
      deadlineMs: 2_500,
      retry: { jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry() },
    });

    const error = await client.get('/x').catch((e: unknown) => e);

    expect(isHttpStatusError(error) && error.giveUpReason).toBe('backoff-exceeds-deadline');
    expect(isHttpStatusError(error) && error.attempts).toBe(2);
    expect(server.hits).toBe(2);
  });

  it('times out an attempt even when a custom adapter ignores the abort signal', async () => {
    client = createHttpClient({
      baseURL: server.origin,
      retry: false,
      breaker: false,
      logger: captureLogs().logger,
    });
    const never = (): Promise<never> => new Promise<never>(() => undefined);
    const pending = client.get('/x', { adapter: never, timeoutMs: 250 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(250);
    const error = await pending;
    expect(isTimeoutError(error) && error.timeoutMs).toBe(250);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a per-call timeoutMs applies to each attempt', async () => {
    server.script(['hang']);
    client = createHttpClient({ baseURL: server.origin, retry: false, logger: captureLogs().logger });
    server.onRequest(() => advanceSoon(200));
    const error = await client.get('/slow', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(isTimeoutError(error) && error.timeoutMs).toBe(200);
  });
});
