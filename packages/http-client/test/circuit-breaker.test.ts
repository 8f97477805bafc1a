import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  createHttpClient,
  type HttpClient,
  HttpStatusError,
  isCircuitOpenError,
  isHttpStatusError,
  type RegistryStateChangeEvent,
  type RetryEvent,
} from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { type CapturedLogs, captureLogs } from './helpers/logs.js';
import { type Behaviour, startTestServer, type TestServer } from './helpers/test-server.js';

const fail = (n: number): Behaviour[] => Array.from({ length: n }, () => ({ status: 503 }));

describe('circuit breaker per upstream', () => {
  let server: TestServer;
  let client: HttpClient;
  let logs: CapturedLogs;

  /** A client without retries, so each call is exactly one attempt. */
  function make(retries = 0): HttpClient {
    logs = captureLogs();
    return createHttpClient({
      baseURL: server.origin,
      retry: { retries, jitter: 'none' },
      retryBudget: false,
      logger: logs.logger,
      hooks: { onRetry: advancingOnRetry() },
    });
  }

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
    client = make();
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it('opens after exactly 5 consecutive failed attempts, not 4', async () => {
    server.script(fail(5));
    for (let i = 0; i < 4; i += 1) await client.get('/x').catch(() => undefined);
    expect(client.breakers?.get(server.origin).state).toBe('CLOSED');
    await client.get('/x').catch(() => undefined);
    expect(client.breakers?.get(server.origin).state).toBe('OPEN');
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'circuit breaker opened', upstream: server.origin }),
    );
  });

  it('counts each failed attempt of the retry loop, and stops at once, without a backoff, when one opens it', async () => {
    client.close();
    const retries: RetryEvent[] = [];
    logs = captureLogs();
    client = createHttpClient({
      baseURL: server.origin,
      retry: { retries: 10, jitter: 'none' },
      retryBudget: false,
      logger: logs.logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });
    server.script(fail(20));
    const error = await client.get('/x').catch((e: unknown) => e);
    expect(server.hits).toBe(5);
    // Four backoffs (after attempts 1-4), none after attempt 5, which opened the breaker.
    expect(retries.map((retry) => retry.attempt)).toEqual([1, 2, 3, 4]);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 503, attempts: 5, giveUpReason: 'circuit-open' });
    expect((error as Error).message).toContain(
      `gave up after 5 attempts: attempt 5 opened the circuit breaker for ${server.origin}; a retry would be rejected`,
    );
  });

  it('an interleaved success resets the count', async () => {
    server.script([...fail(4), { status: 200 }, ...fail(4)]);
    for (let i = 0; i < 9; i += 1) await client.get('/x').catch(() => undefined);
    expect(client.breakers?.get(server.origin).state).toBe('CLOSED');
    expect(server.hits).toBe(9);
  });

  it('does not count 429 and other 4xx', async () => {
    server.script([...fail(4), { status: 429 }, { status: 404 }, ...fail(4)]);
    for (let i = 0; i < 10; i += 1) await client.get('/x').catch(() => undefined);
    expect(client.breakers?.get(server.origin).state).toBe('CLOSED');
  });

  it('counts timeouts, network errors and 408', async () => {
    server.script(['reset', { status: 408 }, { status: 500 }, 'reset', 'hang']);
    server.onRequest(() => {
      if (server.hits === 5) setImmediate(() => vi.advanceTimersByTime(15_000));
    });
    for (let i = 0; i < 5; i += 1) await client.get('/x').catch(() => undefined);
    expect(client.breakers?.get(server.origin).state).toBe('OPEN');
  });

  it('when open, rejects at once with no request reaching the server', async () => {
    server.script(fail(5));
    for (let i = 0; i < 5; i += 1) await client.get('/x').catch(() => undefined);
    const hits = server.hits;
    const connections = server.connections;

    const error = await client.get('/x').catch((e: unknown) => e);

    expect(isCircuitOpenError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'ERR_CIRCUIT_OPEN',
      breakerName: server.origin,
      retryAfterMs: 60_000,
    });
    expect(server.hits).toBe(hits);
    expect(server.connections).toBe(connections);
  });

  it('after 60 s lets one trial through while concurrent calls are rejected; success closes', async () => {
    server.script([...fail(5), 'hang']);
    for (let i = 0; i < 5; i += 1) await client.get('/x').catch(() => undefined);
    const changes: RegistryStateChangeEvent[] = [];
    client.breakers?.onStateChange((e) => changes.push(e));
    vi.advanceTimersByTime(59_999);
    await expect(client.get('/x')).rejects.toBeInstanceOf(CircuitOpenError);
    vi.advanceTimersByTime(1);
    expect(client.breakers?.get(server.origin).state).toBe('HALF_OPEN');

    server.script([{ status: 200 }]);
    const trial = client.get('/trial');
    const concurrent = await Promise.allSettled([client.get('/a'), client.get('/b')]);
    expect(concurrent.map((r) => r.status === 'rejected' && isCircuitOpenError(r.reason))).toEqual([
      true,
      true,
    ]);

    expect((await trial).status).toBe(200);
    expect(server.requests.slice(5).map((r) => r.url)).toEqual(['/trial']);
    expect(client.breakers?.get(server.origin).state).toBe('CLOSED');
    expect(changes.map((c) => c.to)).toEqual(['HALF_OPEN', 'CLOSED']);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'circuit breaker closed' }),
    );
  });

  it('a failed trial re-opens the breaker for a new full timeout', async () => {
    server.script(fail(6));
    for (let i = 0; i < 5; i += 1) await client.get('/x').catch(() => undefined);
    vi.advanceTimersByTime(60_000);
    const trial = await client.get('/trial').catch((e: unknown) => e);
    expect(isHttpStatusError(trial)).toBe(true);
    expect(client.breakers?.get(server.origin).state).toBe('OPEN');
    const rejected = await client.get('/x').catch((e: unknown) => e);
    expect(rejected).toMatchObject({ retryAfterMs: 60_000 });
    expect(server.hits).toBe(6);
  });

  describe('cancelled attempts are neutral', () => {
    it('an attempt aborted by the caller does not reset the count: 4 failures + abort + 1 failure open it', async () => {
      server.script([...fail(4), 'hang', ...fail(1)]);
      for (let i = 0; i < 4; i += 1) await client.get('/x').catch(() => undefined);
      const controller = new AbortController();
      server.onRequest(() => {
        if (server.hits === 5) setImmediate(() => controller.abort());
      });
      const aborted = await client.get('/x', { signal: controller.signal }).catch((e: unknown) => e);
      expect(aborted).toMatchObject({ code: 'ERR_HTTP_ABORTED' });
      const breaker = client.breakers?.get(server.origin);
      expect(breaker?.stats()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 4, ignored: 1 });
      await client.get('/x').catch(() => undefined);
      expect(breaker?.state).toBe('OPEN');
      expect(server.hits).toBe(6);
    });

    it('an aborted half-open trial does not close the breaker; the next call is the trial', async () => {
      server.script([...fail(5), 'hang']);
      for (let i = 0; i < 5; i += 1) await client.get('/x').catch(() => undefined);
      vi.advanceTimersByTime(60_000);
      const breaker = client.breakers?.get(server.origin);
      expect(breaker?.state).toBe('HALF_OPEN');
      const changes: RegistryStateChangeEvent[] = [];
      client.breakers?.onStateChange((e) => changes.push(e));

      const controller = new AbortController();
      server.onRequest(() => {
        if (server.hits === 6) setImmediate(() => controller.abort());
      });
      const aborted = await client.get('/trial', { signal: controller.signal }).catch((e: unknown) => e);
      expect(aborted).toMatchObject({ code: 'ERR_HTTP_ABORTED' });
      expect(breaker?.state).toBe('HALF_OPEN');
      expect(changes).toEqual([]);

      // The next call goes through as the trial (no 'trial_in_flight' rejection) and decides.
      server.script(fail(1));
      await expect(client.get('/trial-2')).rejects.toSatisfy(isHttpStatusError);
      expect(server.requests.slice(5).map((r) => r.url)).toEqual(['/trial', '/trial-2']);
      expect(breaker?.state).toBe('OPEN');
    });

    it('a half-open trial cut by the deadline does not close the breaker', async () => {
      server.script([...fail(5), 'hang']);
      for (let i = 0; i < 5; i += 1) await client.get('/x').catch(() => undefined);
      vi.advanceTimersByTime(60_000);
      server.onRequest(() => {
        if (server.hits === 6) setImmediate(() => vi.advanceTimersByTime(1_000));
      });
      const cut = await client.get('/trial', { deadlineMs: 1_000 }).catch((e: unknown) => e);
      expect(cut).toMatchObject({ code: 'ERR_DEADLINE' });
      const breaker = client.breakers?.get(server.origin);
      expect(breaker?.stats()).toMatchObject({ state: 'HALF_OPEN', consecutiveFailures: 5, ignored: 1 });
      await expect(client.get('/trial-2')).resolves.toMatchObject({ status: 200 });
      expect(breaker?.state).toBe('CLOSED');
    });

    it('an attempt timeout still counts as a failure', async () => {
      server.script([...fail(4), 'hang']);
      for (let i = 0; i < 4; i += 1) await client.get('/x').catch(() => undefined);
      server.onRequest(() => {
        if (server.hits === 5) setImmediate(() => vi.advanceTimersByTime(500));
      });
      await expect(client.get('/x', { timeoutMs: 500 })).rejects.toMatchObject({ code: 'ERR_HTTP_TIMEOUT' });
      expect(client.breakers?.get(server.origin).state).toBe('OPEN');
    });
  });

  it('keeps independent breakers for two upstream origins', async () => {
    const other = await startTestServer();
    try {
      server.script(fail(5));
      for (let i = 0; i < 5; i += 1) await client.get('/x').catch(() => undefined);
      const response = await client.get(`${other.origin}/y`);
      expect(response.status).toBe(200);
      expect(client.breakers?.get(server.origin).state).toBe('OPEN');
      expect(client.breakers?.get(other.origin).state).toBe('CLOSED');
      const states = Object.fromEntries(client.breakers?.snapshot().map((s) => [s.key, s.state]) ?? []);
      expect(states).toEqual({ [server.origin]: 'OPEN', [other.origin]: 'CLOSED' });
    } finally {
      await other.close();
    }
  });

  it('runs without a breaker when breaker is false', async () => {
    const plain = createHttpClient({
      baseURL: server.origin,
      retry: false,
      breaker: false,
      logger: logs.logger,
    });
    server.script(fail(10));
    for (let i = 0; i < 10; i += 1) await plain.get('/x').catch(() => undefined);
    plain.close();
    expect(plain.breakers).toBeUndefined();
    expect(server.hits).toBe(10);
  });
});
