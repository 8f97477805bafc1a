import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { send } from './helpers/http.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const START = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));
/** Real processes on a machine that may be busy: bounded by events, with minutes to spare. */
const PROCESS_TEST_TIMEOUT_MS = 180_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Run {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves once `predicate` holds for the text seen so far on either stream. */
  until(predicate: (all: string) => boolean): Promise<void>;
  readonly exited: Promise<number | string>;
}

const running: ChildProcess[] = [];

function run(command: string, args: string[], env: Record<string, string>): Run {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { predicate: (all: string) => boolean; resolve: () => void }[] = [];
  const check = (): void => {
    const all = stdout.join('') + stderr.join('');
    for (const waiter of waiters.filter((w) => w.predicate(all))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout.push(chunk);
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    check();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    stdout,
    stderr,
    exited,
    until(predicate) {
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        check();
        void exited.then((code) => {
          if (waiters.some((w) => w.resolve === resolve))
            reject(new Error(`exited (${code}) first; output:\n${stdout.join('')}${stderr.join('')}`));
        });
      });
    },
  };
}

afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

describe('scripts/start.mjs output and stopping', () => {
  it(
    'writes only the services’ JSON lines to stdout when piped, each with its service, and its own messages to stderr',
    async () => {
      const start = run(process.execPath, [START], { MOCK_API_PORT: '0', CONSUMER_PORT: '0' });
      await start.until((all) => all.includes('Ctrl-C stops both.'));
      const banner = start.stderr.join('');
      const consumerUrl = /consumer {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
      expect(consumerUrl).toBeDefined();
      expect((await send(`${consumerUrl}/catalog`)).status).toBe(200);
      start.child.kill('SIGTERM');
      expect(await start.exited).toBe(0);

      const lines = start.stdout.join('').split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(4);
      const parsed = lines.map((line) => JSON.parse(line) as { service?: string; msg?: string });
      expect(new Set(parsed.map((line) => line.service))).toEqual(new Set(['mock-api', 'consumer']));
      expect(parsed.filter((line) => line.msg === 'listening')).toHaveLength(2);
      // The banner and the stop notice are not on stdout, so `| jq` never meets them.
      expect(start.stdout.join('')).not.toContain('Both services are up');
      expect(banner).toContain('Both services are up');
      expect(banner).toContain('stores    in memory');
      expect(start.stderr.join('')).toContain('start: both services stopped');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'says in the banner that mock-api uses Redis when REDIS_URL is set in the environment',
    async () => {
      const start = run(process.execPath, [START], {
        MOCK_API_PORT: '0',
        CONSUMER_PORT: '0',
        REDIS_URL,
        REDIS_KEY_PREFIX: `start-banner-${process.pid}-${Date.now()}:`,
      });
      await start.until((all) => all.includes('Ctrl-C stops both.'));
      const shown = REDIS_URL.replace(/\/\/[^@/]*@/, '//***@');
      expect(start.stderr.join('')).toContain(
        `stores    Redis at ${shown} (REDIS_URL is set in the environment`,
      );
      start.child.kill('SIGTERM');
      expect(await start.exited).toBe(0);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  // `script` gives the start script a real terminal. Ctrl-C typed there must reach only the script (raw mode),
  // which stops both services cleanly and exits 0, while the shell that started it (like pnpm, or a `| tee`
  // beside it, in the same foreground process group) is not interrupted and goes on to its next command.
  it(
    'on a terminal, pretty-prints the lines and stops both services with exit code 0 on a typed Ctrl-C',
    async () => {
      const command = `${process.execPath} ${START}; echo "shell went on: exit $?"`;
      const start = run('script', ['-qfec', command, '/dev/null'], {
        MOCK_API_PORT: '0',
        CONSUMER_PORT: '0',
        TERM: 'dumb',
        SHELL: '/bin/sh',
      });
      await start.until((all) => all.includes('Ctrl-C stops both.'));
      const beforeStop = start.stdout.join('');
      // pino-pretty's lines: level name then the service and message, not JSON.
      expect(beforeStop).toMatch(/INFO.*consumer listening/);
      expect(beforeStop).not.toMatch(/^\{"level"/m);
      start.child.stdin?.write('\u0003');
      expect(await start.exited).toBe(0);
      const all = start.stdout.join('');
      expect(all).toMatch(/mock-api shutdown complete/);
      expect(all).toMatch(/consumer shutdown complete/);
      expect(all).toContain('start: both services stopped');
      expect(all).toContain('shell went on: exit 0');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it('prints its usage with --help and refuses an unknown option with exit code 2', async () => {
    const help = run(process.execPath, [START, '--help'], {});
    expect(await help.exited).toBe(0);
    const usage = help.stdout.join('');
    for (const word of ['--build', '--pretty', '--json', 'MOCK_API_PORT', 'CONSUMER_PORT', 'REDIS_URL'])
      expect(usage).toContain(word);

    const wrong = run(process.execPath, [START, '--colour'], {});
    expect(await wrong.exited).toBe(2);
    expect(wrong.stderr.join('')).toContain('start: unknown option "--colour"');
  });
});
