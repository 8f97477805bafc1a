import { accessSync, constants, createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PrometheusError } from '../errors/prometheus-error.js';
import type { GroupProcess, ProcessRegistry } from '../process-group.js';
import { childEnv } from '../service.js';

/** What to install when the server is missing. */
export const PROMETHEUS_MISSING_MESSAGE =
  'prometheus not found on PATH: --prometheus needs the Prometheus server (Debian and Ubuntu: `apt-get install prometheus`, the package that also brings promtool). Install it, or run without --prometheus (`--no-prometheus` in the full run).';

/** The first executable `prometheus` on `path`, else `undefined`. */
export function findPrometheus(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
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

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for Prometheus to take). */
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

/** The JSON envelope of the Prometheus HTTP API. */
export interface PrometheusAnswer<T> {
  readonly status: 'success' | 'error';
  readonly data: T;
  readonly errorType?: string;
  readonly error?: string;
}

/** A running Prometheus of the load runner. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly process: GroupProcess;
  /** When it answered `/-/ready`, epoch ms. */
  readonly readyAt: number;
  /** GET `path` with `params` on the HTTP API; the `data` of a success, else a {@link PrometheusError}. */
  api<T>(path: string, params?: Readonly<Record<string, string>>): Promise<T>;
}

export interface StartPrometheusOptions {
  readonly bin: string;
  readonly registry: ProcessRegistry;
  /** The configuration file's text. */
  readonly config: string;
  /** Gets `prometheus.yml`, `prometheus.log` and the data directory `prometheus-data/`. */
  readonly directory: string;
  readonly signal?: AbortSignal;
  /** Longest wait for `/-/ready`. @default 120000 (the machine may be busy) */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const READY_POLL_MS = 100;
/** Another process may take the free port between asking for it and Prometheus binding it: try again. */
const PORT_ATTEMPTS = 3;

/** Paths of the files a started Prometheus writes, relative to its directory. */
export const PROMETHEUS_FILES = {
  config: 'prometheus.yml',
  log: 'prometheus.log',
  data: 'prometheus-data',
} as const;

async function waitForReady(
  url: string,
  child: GroupProcess,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<'ready' | 'exited'> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (child.hasExited()) return 'exited';
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return 'ready';
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    // Whichever comes first: the next poll, or the process exiting.
    await Promise.race([delay(READY_POLL_MS, undefined, signal ? { signal } : {}), child.exited]);
  }
  throw new PrometheusError(
    'ERR_LOAD_PROMETHEUS',
    `prometheus was not ready at ${url}/-/ready in time (last: ${last})`,
  );
}

/**
 * Starts Prometheus in its own process group through `registry` (so the runner stops it with the services, and
 * kills it on any exit), listening on 127.0.0.1 and a free port, with its own data directory; resolves once
 * `/-/ready` answers 200.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  await mkdir(options.directory, { recursive: true });
  const configFile = join(options.directory, PROMETHEUS_FILES.config);
  const logFile = join(options.directory, PROMETHEUS_FILES.log);
  await writeFile(configFile, options.config);
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = options.registry.spawn({
      name: 'prometheus',
      command: options.bin,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(options.directory, PROMETHEUS_FILES.data)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      env: childEnv({}),
      cwd: options.directory,
    });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.child.stdout?.pipe(log, { end: false });
    child.child.stderr?.pipe(log, { end: false });
    const logClosed = new Promise<void>((resolve) => log.once('close', () => resolve()));
    // 'close' comes after the child's output streams ended, so nothing is written after the end.
    child.child.once('close', () => log.end());
    const outcome = await waitForReady(url, child, deadline, options.signal);
    if (outcome === 'ready') {
      return { url, process: child, readyAt: Date.now(), api: (path, params) => callApi(url, path, params) };
    }
    const code = await child.exited;
    await logClosed;
    const output = await readFile(logFile, 'utf8').catch(() => '');
    if (/address already in use/.test(output) && attempt < PORT_ATTEMPTS) continue;
    throw new PrometheusError(
      'ERR_LOAD_PROMETHEUS',
      `prometheus exited (code ${code}) before it was ready; see ${logFile}: ${output.trim().split('\n').slice(-3).join(' / ')}`,
    );
  }
}

async function callApi<T>(
  url: string,
  path: string,
  params: Readonly<Record<string, string>> = {},
): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const address = `${url}${path}${query === '' ? '' : `?${query}`}`;
  let answer: PrometheusAnswer<T>;
  try {
    const response = await fetch(address, { signal: AbortSignal.timeout(30_000) });
    answer = (await response.json()) as PrometheusAnswer<T>;
  } catch (error) {
    throw new PrometheusError(
      'ERR_LOAD_PROMETHEUS',
      `GET ${path} on prometheus failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (answer.status !== 'success') {
    throw new PrometheusError(
      'ERR_LOAD_PROMETHEUS',
      `GET ${path} on prometheus answered ${answer.errorType ?? 'error'}: ${answer.error ?? 'no message'}`,
    );
  }
  return answer.data;
}
