import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Child, type LogLine, startChild } from '@resilience/test-support/child';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// A real process on a busy machine: bounds are generous, and every wait is for an event, never a delay.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(SERVER))
    throw new Error(
      `${SERVER} is missing: build first (pnpm --filter @resilience/example-express-api build)`,
    );
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

describe('dist/server.js', () => {
  it('serves /hello until the rate limit, reports it in /metrics, and drains on SIGTERM with exit 0', async () => {
    child = startChild(SERVER, { PORT: '0', RATE_LIMIT_PER_MINUTE: '3' });
    const listening = await child.waitForLine(byMsg('listening'));
    const url = String(listening.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${url}/hello`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await fetch(`${url}/hello`);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/^"per-minute"; q=3; w=60; pk=/);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="GET",route="/hello",status="429"} 2');

    await child.waitForLine((line) => line.msg === 'request completed' && line.status === 429);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.lines.some(byMsg('shutting down'))).toBe(true);
    expect(child.lines.find(byMsg('shutdown complete'))).toMatchObject({ exitCode: 0 });
  });

  it('refuses a bad environment at start, naming the variable, with exit 1', async () => {
    child = startChild(SERVER, { PORT: '0', RATE_LIMIT_PER_MINUTE: 'lots' });
    expect(await child.exited).toBe(1);
    const fatal = child.lines.find((line) => line.level === 'fatal');
    expect(String(fatal?.msg)).toContain('RATE_LIMIT_PER_MINUTE');
  });
});
