import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AttemptEvent,
  createHttpClient,
  type GiveUpEvent,
  type HttpClient,
  type HttpClientOptions,
  isHttpStatusError,
} from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { type CapturedLogs, captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('hooks', () => {
  let server: TestServer;
  let client: HttpClient;
  let logs: CapturedLogs;
  let attempts: AttemptEvent[];
  let giveUps: GiveUpEvent[];

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
    logs = captureLogs();
    attempts = [];
    giveUps = [];
    client = createHttpClient({
      baseURL: server.origin,
      retry: { retries: 2, jitter: 'none' },
      logger: logs.logger,
      hooks: {
        onRetry: advancingOnRetry(),
        onAttempt: (e) => attempts.push(e),
        onGiveUp: (e) => giveUps.push(e),
      },
    });
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it('reports each attempt with its outcome, status and duration', async () => {
    server.script([{ status: 503 }]);
    await client.get('/x');
    expect(attempts.map((a) => [a.attempt, a.outcome, a.status, a.upstream])).toEqual([
      [1, 'failure', 503, server.origin],
      [2, 'success', 200, server.origin],
    ]);
    for (const a of attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    expect(giveUps).toEqual([]);
  });

  it('reports giving up with the reason, the attempts and the error', async () => {
    server.script([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const error = await client.get('/x').catch((e: unknown) => e);
    expect(giveUps).toHaveLength(1);
    expect(giveUps[0]).toMatchObject({ attempts: 3, reason: 'retries-exhausted', method: 'GET' });
    expect(giveUps[0]?.error).toBe(error);
    expect(isHttpStatusError(error)).toBe(true);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'giving up on outbound call',
        giveUpReason: 'retries-exhausted',
      }),
    );
  });

  it('reports a breaker rejection as outcome rejected', async () => {
    const c = createHttpClient({
      baseURL: server.origin,
      retry: false,
      breaker: { failureThreshold: 1 },
      logger: logs.logger,
      hooks: { onAttempt: (e) => attempts.push(e) },
    });
    server.script([{ status: 500 }]);
    await c.get('/x').catch(() => undefined);
    await c.get('/x').catch(() => undefined);
    c.close();
    expect(attempts.map((a) => a.outcome)).toEqual(['failure', 'rejected']);
  });

  it('logs and ignores a hook that throws', async () => {
    const options: HttpClientOptions = {
      baseURL: server.origin,
      logger: logs.logger,
      hooks: {
        onAttempt: () => {
          throw new Error('metrics broke');
        },
      },
    };
    const c = createHttpClient(options);
    await expect(c.get('/x')).resolves.toMatchObject({ status: 200 });
    c.close();
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'hook threw; ignored', hook: 'onAttempt' }),
    );
  });
});
