import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  createHttpClient,
  type HttpClient,
  isAbortError,
  isHttpStatusError,
} from '../src/index.js';
import { useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('AbortSignal', () => {
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

  it.each(['node-http', 'undici'] as const)(
    'cancels a pending backoff: no further attempt is made (%s)',
    async (transport) => {
      server.script([{ status: 503 }]);
      const controller = new AbortController();
      client = createHttpClient({
        baseURL: server.origin,
        transport,
        retry: { jitter: 'none' },
        // No breaker: its timers would blur the timer count below.
        breaker: false,
        logger: captureLogs().logger,
        // Abort once the 1 s backoff is armed, before any time passes.
        hooks: { onRetry: () => setImmediate(() => controller.abort()) },
      });

      const error = await client.get('/x', { signal: controller.signal }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AbortError);
      expect(isAbortError(error) && error.code).toBe('ERR_HTTP_ABORTED');
      expect(isAbortError(error) && error.attempts).toBe(1);
      expect(isAbortError(error) && error.giveUpReason).toBe('aborted');
      expect(isAbortError(error) && isHttpStatusError(error.cause)).toBe(true);
      // The backoff timer was cleared: nothing is left to fire, and no second request ever arrives. (undici's
      // pool keeps timers of its own for idle sockets, so the count is exact on node-http only.)
      if (transport === 'node-http') expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(server.hits).toBe(1);
    },
  );

  it('cancels the attempt in flight', async () => {
    server.script(['hang']);
    const controller = new AbortController();
    client = createHttpClient({ baseURL: server.origin, breaker: false, logger: captureLogs().logger });
    server.onRequest(() => controller.abort(new Error('user went away')));

    const error = await client.get('/slow', { signal: controller.signal }).catch((e: unknown) => e);

    expect(isAbortError(error)).toBe(true);
    expect(isAbortError(error) && (error.cause as Error).message).toBe('user went away');
    expect(server.hits).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once, sending nothing, when the signal is already aborted', async () => {
    client = createHttpClient({ baseURL: server.origin, breaker: false, logger: captureLogs().logger });
    await expect(client.get('/x', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_HTTP_ABORTED',
      attempts: 0,
    });
    expect(server.hits).toBe(0);
  });
});
