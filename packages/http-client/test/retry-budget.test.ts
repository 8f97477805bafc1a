import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClient, isHttpStatusError } from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('retry budget', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
    client = createHttpClient({
      baseURL: server.origin,
      retry: { retries: 1, baseDelayMs: 10, jitter: 'none' },
      retryBudget: { ratio: 0.5, windowMs: 10_000, minRetriesPerWindow: 2 },
      breaker: false,
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry() },
    });
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it('refuses retries beyond its ratio, says so, and recovers after the window', async () => {
    // 6 calls that each fail once: the window allows max(2, floor(0.5 * calls)) retries.
    server.script(Array.from({ length: 20 }, () => ({ status: 503 })));
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const error = await client.get(`/x/${i}`).catch((e: unknown) => e);
      outcomes.push(isHttpStatusError(error) ? (error.giveUpReason ?? '') : 'ok');
    }
    // Allowed = max(2, floor(0.5 * calls)): calls 1-2 use the floor of 2, calls 3-5 find 2 retries already
    // made (allowed still 2), call 6 lifts the allowance to 3.
    expect(outcomes).toEqual([
      'retries-exhausted',
      'retries-exhausted',
      'retry-budget-exhausted',
      'retry-budget-exhausted',
      'retry-budget-exhausted',
      'retries-exhausted',
    ]);
    const refused = await client.get('/y').catch((e: unknown) => e);
    expect(isHttpStatusError(refused) && refused.message).toContain('the retry budget refused the retry');

    const hitsBefore = server.hits;
    vi.advanceTimersByTime(10_000);
    server.script([{ status: 503 }]);
    await client.get('/z');
    expect(server.hits - hitsBefore).toBe(2);
  });

  it('is off with retryBudget: false', async () => {
    const unlimited = createHttpClient({
      baseURL: server.origin,
      retry: { retries: 1, baseDelayMs: 10, jitter: 'none' },
      retryBudget: false,
      breaker: false,
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry() },
    });
    server.script(Array.from({ length: 20 }, () => ({ status: 503 })));
    for (let i = 0; i < 10; i += 1) await unlimited.get('/x').catch(() => undefined);
    unlimited.close();
    expect(server.hits).toBe(20);
  });
});
