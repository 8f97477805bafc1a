import { createWriteStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ServiceStartError } from './errors/service-start-error.js';
import type { GroupProcess, ProcessRegistry } from './process-group.js';

/** A service a scenario needs: a Node script started with its environment. */
export interface ServiceSpec {
  /** Unique within the scenario, e.g. `mock-api` or `mock-api-b`. */
  readonly name: string;
  /** Arguments to `node` (the script path first). */
  readonly args: readonly string[];
  /** Environment on top of a minimal inherited one (PATH, HOME). `PORT` is forced to 0. */
  readonly env: Readonly<Record<string, string>>;
  /** Path polled until it answers 200. @default '/readyz' */
  readonly readyPath?: string;
}

export interface RunningService {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly process: GroupProcess;
  /** The environment the service was started with. */
  readonly env: Readonly<Record<string, string>>;
  /** The service's stdout and stderr. */
  readonly logPath: string;
}

export interface StartServiceOptions {
  readonly registry: ProcessRegistry;
  readonly logPath: string;
  /** Longest wait for the listening line and then for readiness. @default 20000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const READY_POLL_MS = 100;

/** Variables every child inherits from the runner; everything else is explicit. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS'];

export function childEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Reads the port from a JSON log line with `"msg":"listening"`; `undefined` for any other line. */
export function parseListeningLine(line: string): number | undefined {
  if (!line.includes('listening')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  if (record.msg !== 'listening') return undefined;
  const port = record.port ?? (record.address as Record<string, unknown> | undefined)?.port;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 ? port : undefined;
}

async function waitForReady(url: string, deadline: number, service: GroupProcess, signal?: AbortSignal) {
  let last = 'no answer';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (service.hasExited()) throw new ServiceStartError(`${service.name} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(READY_POLL_MS, undefined, signal ? { signal } : {});
  }
  throw new ServiceStartError(`${service.name} was not ready at ${url} in time (last: ${last})`);
}

/**
 * Starts a service on a free port (`PORT=0`), learns the port from its "listening" log line and waits until
 * its readiness path answers 200. Its output goes to `logPath`.
 */
export async function startService(spec: ServiceSpec, options: StartServiceOptions): Promise<RunningService> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const env = { ...spec.env, PORT: '0' };
  const started = options.registry.spawn({
    name: spec.name,
    command: process.execPath,
    args: spec.args,
    env: childEnv(env),
  });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  started.child.stderr?.pipe(log, { end: false });
  // 'close' comes after the child's output streams ended, so nothing is written after the end.
  started.child.once('close', () => log.end());

  const port = await new Promise<number>((resolve, reject) => {
    const stdout = started.child.stdout;
    if (stdout === null) {
      reject(new ServiceStartError(`${spec.name} has no stdout`));
      return;
    }
    // Every chunk goes to the log as it is; lines are only split until the listening line is found, so a
    // chatty service costs the runner nothing afterwards.
    let pending = '';
    let found: number | undefined;
    const timer = setTimeout(() => {
      reject(new ServiceStartError(`${spec.name} did not log its listening line in ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const onAbort = () => reject(options.signal?.reason ?? new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (found !== undefined) return;
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        found = parseListeningLine(line);
        if (found !== undefined) break;
      }
      if (found !== undefined) {
        pending = '';
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(found);
      }
    });
    started.exited.then((code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (found === undefined) {
        reject(
          new ServiceStartError(
            `${spec.name} exited (code ${code}) before listening; see ${options.logPath}`,
          ),
        );
      }
    });
  });

  const url = `http://127.0.0.1:${port}`;
  await waitForReady(`${url}${spec.readyPath ?? '/readyz'}`, deadline, started, options.signal);
  return { name: spec.name, port, url, process: started, env, logPath: options.logPath };
}
