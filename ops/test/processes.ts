import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { OPS_DIR } from './dashboard-model.js';

/** Longest wait for a process to start, become ready or stop: generous, the machine may be busy. */
export const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

/** Path of the Prometheus server: the first `prometheus` on PATH, else undefined. */
export function findPrometheus(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'prometheus');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A child process with its output kept (the last lines) for error messages. */
interface Child {
  readonly process: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  stop(): Promise<void>;
}

function startChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (line: string): void => {
    output.push(line);
    if (output.length > 200) output.shift();
  };
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', keep);
  if (child.stderr !== null) createInterface({ input: child.stderr }).on('line', keep);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    process: child,
    output,
    exited,
    hasExited: () => done,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; fails when `child` exits first or after {@link START_TIMEOUT_MS}. */
async function waitForOk(url: string, child: Child, name: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.hasExited()) {
      throw new Error(`${name} exited before ${url} answered; output:\n${child.output.join('\n')}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(POLL_MS);
  }
  throw new Error(`${name}: ${url} did not answer 200 in ${START_TIMEOUT_MS} ms (last: ${last})`);
}

/** A running app: its address and a way to stop it. */
export interface RunningApp {
  readonly url: string;
  /** `127.0.0.1:<port>`, as a scrape target. */
  readonly target: string;
  stop(): Promise<void>;
}

/** The built server script of a workspace app, through the link pnpm made in ops' node_modules. */
export function appServerScript(app: 'mock-api' | 'consumer'): string {
  const linked = join(OPS_DIR, 'node_modules', '@resilience', app);
  const script = join(existsSync(linked) ? realpathSync(linked) : linked, 'dist', 'server.js');
  if (!existsSync(script)) {
    throw new Error(
      `${script} does not exist: build the apps first (pnpm build, or run the tests through turbo)`,
    );
  }
  return script;
}

/**
 * Starts an app's `dist/server.js` on 127.0.0.1 port 0 with exactly `env` (plus PATH and HOME), reads the port
 * from its `listening` log line and waits until `/readyz` answers 200.
 */
export async function startApp(
  app: 'mock-api' | 'consumer',
  env: Record<string, string>,
): Promise<RunningApp> {
  const child = startChild(process.execPath, [appServerScript(app)], {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${app} logged no listening line in ${START_TIMEOUT_MS} ms; output:\n${child.output.join('\n')}`,
            ),
          ),
        START_TIMEOUT_MS,
      );
      const stdout = child.process.stdout;
      if (stdout === null) throw new Error(`${app} has no stdout`);
      createInterface({ input: stdout }).on('line', (line) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return;
        }
        const record = parsed as { msg?: unknown; port?: unknown };
        if (record.msg === 'listening' && typeof record.port === 'number') {
          clearTimeout(timer);
          resolve(record.port);
        }
      });
      void child.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${app} exited (${code}) before listening; output:\n${child.output.join('\n')}`));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/readyz`, child, app);
    return { url, target: `127.0.0.1:${port}`, stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** The JSON envelope of the Prometheus HTTP API. */
export interface PrometheusAnswer<T> {
  readonly status: 'success' | 'error';
  readonly data: T;
  readonly errorType?: string;
  readonly error?: string;
}

/** One series of an instant vector. */
export interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: readonly [number, string];
}

/** A Prometheus server of its own: a temporary configuration and data directory, a free port. */
export interface PrometheusServer {
  readonly url: string;
  /** GET `path` (with `params`) on the HTTP API; the parsed JSON, also for 4xx answers. */
  api<T>(path: string, params?: Record<string, string>): Promise<PrometheusAnswer<T>>;
  /** An instant query. */
  query(expr: string): Promise<PrometheusAnswer<{ resultType: string; result: VectorSample[] }>>;
  /** The last lines the server wrote. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `bin` with `configText` as its configuration; resolves once `/-/ready` answers 200. */
export async function startPrometheus(bin: string, configText: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ops-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, configText);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(
    bin,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  );
  const stop = async (): Promise<void> => {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForOk(`${url}/-/ready`, child, 'prometheus');
  } catch (error) {
    await stop();
    throw error;
  }
  async function api<T>(path: string, params: Record<string, string> = {}): Promise<PrometheusAnswer<T>> {
    const response = await fetch(`${url}${path}?${new URLSearchParams(params)}`, {
      signal: AbortSignal.timeout(30_000),
    });
    return (await response.json()) as PrometheusAnswer<T>;
  }
  return {
    url,
    api,
    query: (expr) => api('/api/v1/query', { query: expr }),
    output: () => child.output.join('\n'),
    stop,
  };
}
