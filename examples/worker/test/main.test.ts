import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Child, type LogLine, startChild } from '@resilience/test-support/child';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startUpstream, type TestUpstream } from './helpers/upstream.js';

// A real process on a busy machine: bounds are generous, and every wait is for an event, never a delay.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: build first (pnpm --filter @resilience/example-worker build)`);
});

let upstream: TestUpstream;
let child: Child | undefined;

beforeEach(async () => {
  upstream = await startUpstream();
});

afterEach(async () => {
  child?.kill();
  child = undefined;
  await upstream.close();
});

const byMsg =
  (msg: string) =>
  (line: LogLine): boolean =>
    line.msg === msg;

/** Short waits, so the run takes well under a second of its own time; the deadline and timeouts stay generous. */
const FAST = {
  POLL_INTERVAL_MS: '20',
  RETRY_MAX: '3',
  RETRY_BASE_MS: '1',
  UPSTREAM_TIMEOUT_MS: '30000',
  REQUEST_DEADLINE_MS: '60000',
  BREAKER_FAILURE_THRESHOLD: '3',
  BREAKER_RESET_MS: '600000',
};

describe('dist/main.js', () => {
  it('retries to success, opens the breaker on a failing upstream, and exits 0 on SIGTERM', async () => {
    upstream.script(503, 503);
    child = startChild(MAIN, { ...FAST, UPSTREAM_URL: upstream.url });

    // Poll 1: two 503s retried, then 200.
    const first = await child.waitForLine(byMsg('poll succeeded'));
    expect(first).toMatchObject({ poll: 1, status: 200 });
    expect(upstream.answered.slice(0, 3)).toEqual([503, 503, 200]);
    expect(child.lines.filter(byMsg('retrying outbound call'))).toHaveLength(2);

    // The upstream breaks: 3 consecutive failed attempts open the breaker, later polls do not reach it.
    upstream.otherwise = 500;
    await child.waitForLine(byMsg('circuit breaker opened'));
    const failed = await child.waitForLine(byMsg('poll failed'));
    expect(failed).toMatchObject({ status: 500, attempts: 3, giveUpReason: 'circuit-open' });
    await child.waitForLine(byMsg('poll skipped: circuit open'));
    expect(upstream.answered.filter((answer) => answer === 500)).toHaveLength(3);

    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.lines.some(byMsg('stopping'))).toBe(true);
    expect(child.lines.some(byMsg('worker stopped'))).toBe(true);
    expect(upstream.answered.filter((answer) => answer === 500)).toHaveLength(3);
  });

  it('exits 0 on SIGTERM while a poll is in flight', async () => {
    upstream.otherwise = 'hang';
    child = startChild(MAIN, { ...FAST, UPSTREAM_URL: upstream.url });
    await upstream.requests(1);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.lines.find(byMsg('poll stopped'))).toMatchObject({ poll: 1 });
  });

  it('refuses an attempt timeout that leaves no room for a retry, naming both variables', async () => {
    child = startChild(MAIN, {
      UPSTREAM_URL: upstream.url,
      UPSTREAM_TIMEOUT_MS: '5000',
      REQUEST_DEADLINE_MS: '5000',
    });
    expect(await child.exited).toBe(1);
    const fatal = child.lines.find((line) => line.level === 'fatal');
    expect(String(fatal?.msg)).toContain('UPSTREAM_TIMEOUT_MS, REQUEST_DEADLINE_MS');
    expect(upstream.answered).toHaveLength(0);
  });
});
