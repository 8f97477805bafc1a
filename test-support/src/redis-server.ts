import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createClient } from 'redis';

const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/** A redis-server this test started on its own port (never the shared one). */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Starts (or restarts) the process on the same port; resolves once it answers PING. */
  start(): Promise<void>;
  /** Kills the process (SIGKILL: a crash, nothing flushed) and waits for it to exit. */
  kill(): Promise<void>;
  /** Freezes / thaws the process: connections stay open but nothing answers. */
  pause(): void;
  resume(): void;
}

/** Whether redis-server can be started; loud skip message otherwise, failure under CI=true. */
export function redisServerAvailable(): boolean {
  if (existsSync(REDIS_SERVER_BIN)) return true;
  const message = `redis-server not found at ${REDIS_SERVER_BIN} (set REDIS_SERVER_BIN or install redis-server)`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: the outage tests must run)`);
  process.stderr.write(`\n!!! SKIPPING Redis outage tests: ${message}\n\n`);
  return false;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string): Promise<void> {
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries) => (retries > 100 ? false : 20) },
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.destroy();
  }
}

export async function createPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  return {
    port,
    url,
    async start() {
      const started = spawn(
        REDIS_SERVER_BIN,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      child = started;
      await waitForPing(url);
    },
    async kill() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGKILL');
      await exited;
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}
