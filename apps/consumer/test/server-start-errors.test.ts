import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScript } from './helpers/child-process.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
/** A real process start on a machine that may be busy: bounded by its exit, with minutes to spare. */
const PROCESS_TEST_TIMEOUT_MS = 120_000;
const open: Server[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('consumer start-up errors people read', () => {
  it(
    'prints every variable with its default on --help and exits 0 without starting',
    async () => {
      const child = spawn(process.execPath, [SERVER, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
      });
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
      expect(out).toMatch(/^Usage: node apps\/consumer\/dist\/server\.js/);
      expect(out).toMatch(/^ {2}UPSTREAM_URL +base URL of mock-api$/m);
      expect(out).toContain('default: http://127.0.0.1:3001');
      expect(out).not.toContain('"msg":"listening"');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'names PORT, without a stack trace, when the port is in use',
    async () => {
      const taken = createServer();
      open.push(taken);
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as AddressInfo;
      const consumer = runScript(SERVER, { PORT: String(port), HOST: '127.0.0.1' });
      expect(await consumer.exited).toBe(1);
      const fatal = consumer.lines.find((line) => line.level === 'fatal');
      expect(fatal).toMatchObject({
        code: 'EADDRINUSE',
        variable: 'PORT',
        msg: `cannot listen on 127.0.0.1:${port}: the port is already in use (another process listens on it): set PORT to a free port (0 picks one)`,
      });
      expect(JSON.stringify(consumer.lines)).not.toContain('    at ');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'reports every bad variable in one line, the cross-variable check among them',
    async () => {
      const consumer = runScript(SERVER, {
        PORT: 'x',
        UPSTREAM_URL: 'localhost:3001',
        REQUEST_DEADLINE_MS: '100',
        UPSTREAM_TIMEOUT_MS: '15000',
      });
      expect(await consumer.exited).toBe(1);
      const fatal = consumer.lines.find((line) => line.level === 'fatal') as
        | { problems?: { variable: string }[] }
        | undefined;
      expect(fatal?.problems?.map((problem) => problem.variable)).toEqual([
        'PORT',
        'UPSTREAM_URL',
        'UPSTREAM_TIMEOUT_MS, REQUEST_DEADLINE_MS',
      ]);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
