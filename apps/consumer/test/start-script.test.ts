import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChildScript, runScript } from './helpers/child-process.js';
import { send } from './helpers/http.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));
const BUILT = ['../../mock-api/dist/server.js', '../dist/server.js'].map((p) =>
  fileURLToPath(new URL(p, import.meta.url)),
);

/** The text of a line that is not JSON (the script's own messages, on stderr). */
const textOf = (line: Record<string, unknown>): string => (typeof line.text === 'string' ? line.text : '');

function urlOf(start: ChildScript, service: string): string {
  const line = start.lines.map(textOf).find((text) => text.trim().startsWith(`${service} `));
  const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line ?? '')?.[0];
  if (url === undefined) throw new Error(`no ${service} URL in the banner`);
  return url;
}

type ServiceLine = { msg?: string; pid?: number; reason?: string; service?: string };

/** The JSON log lines a service wrote through the script (piped, they pass unchanged, `service` on each). */
function serviceLines(start: ChildScript, service: string): ServiceLine[] {
  return (start.lines as ServiceLine[]).filter((line) => line.service === service);
}

/** The process id on a service's `listening` line. */
function pidOf(start: ChildScript, service: string): number {
  const pid = serviceLines(start, service).find((line) => line.msg === 'listening')?.pid;
  if (pid === undefined) throw new Error(`no listening line with a pid from ${service}`);
  return pid;
}

describe('scripts/start.mjs (root pnpm start)', () => {
  let start: ChildScript | undefined;

  beforeAll(() => {
    for (const path of BUILT) {
      if (!existsSync(path)) throw new Error(`${path} is missing: build mock-api and consumer first`);
    }
  });

  afterEach(() => {
    start?.kill();
    start = undefined;
  });

  // Ctrl-C in a terminal sends SIGINT (the services run in their own process group, so only the script gets
  // it); process managers send SIGTERM. Both must stop both services and exit 0.
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'starts both services wired together, prints the URLs and curl examples, and stops both on %s',
    async (signal) => {
      // RETRY_BASE_MS reaches the consumer through the environment the script passes on: no backoff waits here.
      start = runScript(START, {
        MOCK_API_PORT: '0',
        CONSUMER_PORT: '0',
        LOG_LEVEL: 'info',
        RETRY_BASE_MS: '0',
      });
      await start.waitForLine((line) => textOf(line) === 'Ctrl-C stops both.');
      const pids = { 'mock-api': pidOf(start, 'mock-api'), consumer: pidOf(start, 'consumer') };
      const consumerUrl = urlOf(start, 'consumer');
      const mockUrl = urlOf(start, 'mock-api');
      const banner = start.lines.map(textOf).join('\n');
      expect(banner.match(/^ {2}curl /gm)).toHaveLength(3);
      expect(banner).toContain(`curl -s ${consumerUrl}/catalog`);

      // The demo key has a tier: far more than mock-api's 10 requests a minute per IP.
      for (let i = 0; i < 12; i += 1)
        expect((await send(`${consumerUrl}/catalog/${i + 1}`)).status).toBe(200);
      const checkout = await send(`${consumerUrl}/checkout`, {
        method: 'POST',
        body: { itemId: '1', quantity: 2 },
      });
      expect(checkout.status).toBe(201);
      const fault = await send(`${mockUrl}/__admin/faults`, {
        method: 'PUT',
        headers: { authorization: 'Bearer demo-admin-token' },
        body: { down: true },
      });
      expect(fault.status).toBe(200);
      const stale = await send(`${consumerUrl}/catalog/1`);
      expect(stale.headers['x-cache']).toBe('stale');

      start.process.kill(signal);
      expect(await start.exited).toBe(0);
      expect(start.lines.map(textOf)).toContain('start: both services stopped');
      // Each service drained on the SIGTERM the script forwards, and neither process is left running.
      for (const service of ['mock-api', 'consumer'] as const) {
        expect(serviceLines(start, service).find((line) => line.msg === 'shutting down')).toMatchObject({
          reason: 'SIGTERM',
        });
        expect(() => process.kill(pids[service], 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      }
      await expect(send(`${consumerUrl}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(send(`${mockUrl}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    },
  );

  it('stops the other service and exits non-zero when one dies', async () => {
    start = runScript(START, { MOCK_API_PORT: '0', CONSUMER_PORT: '0', LOG_LEVEL: 'info' });
    await start.waitForLine((line) => textOf(line) === 'Ctrl-C stops both.');
    const consumerUrl = urlOf(start, 'consumer');
    const mockApiPid = pidOf(start, 'mock-api');
    expect(mockApiPid).toBeGreaterThan(0);
    process.kill(mockApiPid, 'SIGKILL');
    expect(await start.exited).toBe(1);
    await expect(send(`${consumerUrl}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
