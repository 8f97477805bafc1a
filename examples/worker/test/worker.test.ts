import { type RetryEvent, upstreamKey } from '@resilience/http-client';
import { createLogger, type Logger } from '@resilience/logging';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_DEFAULTS, type WorkerConfig } from '../src/config.js';
import { createUpstreamClient } from '../src/upstream.js';
import { createWorker, type Worker } from '../src/worker.js';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

type LogLine = Record<string, unknown>;

/** A logger into memory, and a way to wait for a line (event-driven, no polling). */
function memoryLogger(): {
  logger: Logger;
  lines: LogLine[];
  waitFor(predicate: (line: LogLine) => boolean): Promise<LogLine>;
} {
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    destination: {
      write(text: string) {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.predicate(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      },
    },
  });
  return {
    logger,
    lines,
    waitFor(predicate) {
      const seen = lines.find(predicate);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** Lets the code run up to its next timer (real I/O callbacks and promise jobs included). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let upstream: TestUpstream;
let worker: Worker | undefined;
let closeClient: (() => void) | undefined;

beforeEach(async () => {
  // Timers and Date are fake (backoff, attempt timeouts, deadline, breaker, the poll pause); sockets stay real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  upstream = await startUpstream();
});

afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  closeClient?.();
  closeClient = undefined;
  await upstream.close();
  vi.useRealTimers();
});

function build(overrides: Partial<WorkerConfig> = {}) {
  const log = memoryLogger();
  const retries: RetryEvent[] = [];
  const config: WorkerConfig = { ...CONFIG_DEFAULTS, upstreamUrl: upstream.url, ...overrides };
  const client = createUpstreamClient(config, {
    logger: log.logger,
    // Once a backoff timer is armed, move fake time by exactly the delay the client announced.
    hooks: {
      onRetry: (event) => {
        retries.push(event);
        setImmediate(() => vi.advanceTimersByTime(event.delayMs));
      },
    },
  });
  closeClient = () => client.close();
  worker = createWorker({ client, url: upstream.url, intervalMs: config.pollIntervalMs, logger: log.logger });
  return { worker, client, retries, ...log };
}

describe('worker.pollOnce', () => {
  it('retries a 503 twice with doubling backoff, then succeeds on the third attempt', async () => {
    const { worker, retries, lines } = build({ retryMax: 3, retryBaseMs: 1_000 });
    upstream.script(503, 503);
    const result = await worker.pollOnce();
    expect(result).toMatchObject({ outcome: 'success', status: 200, data: { items: [{ id: 1 }] } });
    expect(upstream.answered).toEqual([503, 503, 200]);
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
      [1, '503'],
      [2, '503'],
    ]);
    // Equal jitter: the first wait is in [500, 1000] ms, the second in [1000, 2000] ms.
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(500);
    expect(retries[0]?.delayMs).toBeLessThanOrEqual(1_000);
    expect(retries[1]?.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(retries[1]?.delayMs).toBeLessThanOrEqual(2_000);
    expect(lines.filter((l) => l.msg === 'retrying outbound call')).toHaveLength(2);
    expect(lines.find((l) => l.msg === 'poll succeeded')).toMatchObject({ poll: 1, status: 200 });
  });

  it('opens the breaker after 3 failed attempts, then skips polls without calling the upstream', async () => {
    const { worker, client, lines } = build({
      retryMax: 5,
      breakerFailureThreshold: 3,
      breakerResetMs: 30_000,
    });
    upstream.otherwise = 500;
    const first = await worker.pollOnce();
    expect(first.outcome).toBe('failure');
    expect(upstream.answered).toEqual([500, 500, 500]);
    expect(lines.find((l) => l.msg === 'poll failed')).toMatchObject({
      code: 'ERR_HTTP_STATUS',
      status: 500,
      attempts: 3,
      giveUpReason: 'circuit-open',
    });
    expect(client.breakers?.get(upstreamKey(upstream.url)).state).toBe('OPEN');

    const second = await worker.pollOnce();
    expect(second).toEqual({ outcome: 'circuit-open', retryAfterMs: 30_000 });
    expect(upstream.answered).toHaveLength(3);
    expect(lines.find((l) => l.msg === 'poll skipped: circuit open')).toMatchObject({ poll: 2 });
  });

  it('lets one trial call through after BREAKER_RESET_MS and closes the breaker when it succeeds', async () => {
    const { worker, client } = build({ retryMax: 0, breakerFailureThreshold: 1, breakerResetMs: 30_000 });
    upstream.script(500);
    expect((await worker.pollOnce()).outcome).toBe('failure');
    const breaker = client.breakers?.get(upstreamKey(upstream.url));
    expect(breaker?.state).toBe('OPEN');
    vi.advanceTimersByTime(30_000);
    expect(breaker?.state).toBe('HALF_OPEN');
    expect(await worker.pollOnce()).toMatchObject({ outcome: 'success', status: 200 });
    expect(breaker?.state).toBe('CLOSED');
    expect(upstream.answered).toEqual([500, 200]);
  });

  it('gives up at REQUEST_DEADLINE_MS when the upstream does not answer', async () => {
    const { worker, lines } = build({ retryMax: 0, upstreamTimeoutMs: 60_000, requestDeadlineMs: 3_000 });
    upstream.otherwise = 'hang';
    const poll = worker.pollOnce();
    await upstream.requests(1);
    await nextTurn();
    vi.advanceTimersByTime(2_999);
    await nextTurn();
    expect(lines.some((l) => l.msg === 'poll failed')).toBe(false);
    vi.advanceTimersByTime(1);
    expect((await poll).outcome).toBe('failure');
    expect(lines.find((l) => l.msg === 'poll failed')).toMatchObject({ code: 'ERR_DEADLINE', attempts: 1 });
  });
});

describe('worker.run and stop', () => {
  it('polls again after POLL_INTERVAL_MS, and stop() ends the loop during the pause', async () => {
    const { worker, waitFor } = build({ pollIntervalMs: 5_000 });
    const running = worker.run();
    await waitFor((l) => l.msg === 'poll succeeded' && l.poll === 1);
    await nextTurn();
    vi.advanceTimersByTime(5_000);
    await waitFor((l) => l.msg === 'poll succeeded' && l.poll === 2);
    expect(upstream.answered).toEqual([200, 200]);
    await worker.stop();
    await expect(running).resolves.toBeUndefined();
  });

  it('stop() aborts the poll in flight', async () => {
    const { worker, lines } = build();
    upstream.otherwise = 'hang';
    const running = worker.run();
    await upstream.requests(1);
    await worker.stop();
    await running;
    expect(lines.find((l) => l.msg === 'poll stopped')).toMatchObject({ poll: 1 });
    expect(lines.some((l) => l.msg === 'poll failed')).toBe(false);
  });
});
