import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Child, type LogLine, startChild } from '@resilience/test-support/child';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// A real process on a busy machine: bounds are generous, and every wait is for an event, never a delay.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: build first (pnpm --filter @resilience/example-guarded-call build)`);
});

let child: Child | undefined;
afterEach(() => {
  child?.kill();
  child = undefined;
});

const byMsg =
  (msg: string) =>
  (line: LogLine): boolean =>
    line.msg === msg;

describe('dist/main.js', () => {
  it('runs the demo to the end: retries, breaker open, refusal, recovery; exit 0', async () => {
    // Short waits so the run takes a fraction of a second; the attempt timeout stays generous.
    child = startChild(MAIN, { RETRY_BASE_MS: '1', BREAKER_RESET_MS: '50', CALL_TIMEOUT_MS: '30000' });
    expect(await child.exited).toBe(0);
    const { lines } = child;
    const messages = lines.filter((l) => String(l.msg).startsWith('message '));
    expect(messages.map((l) => [l.msg, l.attempts, l.breaker])).toEqual([
      ['message published', 3, 'CLOSED'],
      ['message failed', 3, 'OPEN'],
      ['message not sent: circuit open', undefined, 'OPEN'],
      ['message published', 1, 'CLOSED'],
    ]);
    expect(lines.filter(byMsg('retrying outbound call'))).toHaveLength(4);
    expect(lines.filter((l) => String(l.msg).startsWith('circuit breaker')).map((l) => l.to)).toEqual([
      'OPEN',
      'HALF_OPEN',
      'CLOSED',
    ]);
    expect(lines.find(byMsg('demo finished'))).toMatchObject({
      outcomes: ['published', 'failed', 'circuit-open', 'published'],
      queueCalls: 7,
      breaker: 'CLOSED',
    });
  });

  it('stops early on SIGTERM while waiting for the breaker, with exit 0', async () => {
    child = startChild(MAIN, { RETRY_BASE_MS: '1', BREAKER_RESET_MS: '600000' });
    await child.waitForLine((l) => l.step === 4);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.lines.find(byMsg('demo finished'))).toMatchObject({
      outcomes: ['published', 'failed', 'circuit-open'],
      breaker: 'OPEN',
    });
  });

  it('refuses a bad environment at start, naming the variable, with exit 1', async () => {
    child = startChild(MAIN, { RETRY_MAX: 'many' });
    expect(await child.exited).toBe(1);
    expect(String(child.lines.find((l) => l.level === 'fatal')?.msg)).toContain('RETRY_MAX');
  });
});
