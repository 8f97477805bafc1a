/**
 * Benchmark harness shared by every area in this package.
 *
 * - `runLoad` drives a URL with wrk when it is installed (it costs far less CPU than a Node load generator on a
 *   2-core machine) and falls back to autocannon.
 * - `spawnServer` starts a server script as a child process, waits for the line announcing its port, and reads the
 *   child's CPU time from /proc so a run can report server CPU per request, which is much steadier than req/s on a
 *   shared machine.
 * - `compareAlternating` measures several variants in one run, warmed up, in alternating order (ABC, CBA, ABC ...),
 *   and reports medians, so slow drift of the machine affects every variant alike.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface LoadOptions {
  url: string;
  /** Open connections (closed loop: each sends its next request when the previous answer arrives). @default 50 */
  connections?: number;
  /** @default 10 */
  durationS?: number;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** Force a tool. @default 'wrk' when installed, else 'autocannon' */
  tool?: 'wrk' | 'autocannon';
}

export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses outside 2xx/3xx. */
  non2xx: number;
  /** Connect/read/write/timeout errors. */
  errors: number;
}

let wrkAvailable: boolean | undefined;

async function hasWrk(): Promise<boolean> {
  if (wrkAvailable === undefined) {
    try {
      await execFileAsync('wrk', ['--version']).catch((error: { stdout?: string; stderr?: string }) => {
        // wrk --version prints its banner and exits 1.
        if (!`${error.stdout ?? ''}${error.stderr ?? ''}`.includes('wrk')) throw error;
      });
      wrkAvailable = true;
    } catch {
      wrkAvailable = false;
    }
  }
  return wrkAvailable;
}

function wrkDurationToMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 'ms') return n;
  if (unit === 's') return n * 1000;
  if (unit === 'm') return n * 60_000;
  throw new Error(`unknown wrk latency unit ${unit}`);
}

/** Parses the text wrk prints with `--latency`. Exported for its test. */
export function parseWrkOutput(text: string, durationS: number): Omit<LoadResult, 'tool'> {
  const requests = Number(/(\d+) requests in ([\d.]+)(\w+)/.exec(text)?.[1] ?? Number.NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? Number.NaN);
  const percentile = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m?.[1] && m[2] ? wrkDurationToMs(m[1], m[2]) : Number.NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = socket ? socket.slice(1).reduce((sum, v) => sum + Number(v), 0) : 0;
  if (!Number.isFinite(requests) || !Number.isFinite(rps)) {
    throw new Error(`could not parse wrk output:\n${text}`);
  }
  return { requests, durationS, rps, p50Ms: percentile('50'), p99Ms: percentile('99'), non2xx, errors };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 50;
  const durationS = options.durationS ?? 10;
  const headers = options.headers ?? {};
  const tool = options.tool ?? ((await hasWrk()) ? 'wrk' : 'autocannon');
  if (tool === 'wrk') {
    const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', '--timeout', '10s'];
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
    args.push(options.url);
    const { stdout } = await execFileAsync('wrk', args, { maxBuffer: 1 << 20 });
    return { tool, ...parseWrkOutput(stdout, durationS) };
  }
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon') as (opts: object) => Promise<{
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
    duration: number;
  }>;
  const result = await autocannon({ url: options.url, connections, duration: durationS, headers });
  return {
    tool,
    requests: result.requests.total,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export interface ChildServer {
  name: string;
  pid: number;
  port: number;
  url: string;
  /** User + system CPU time the child has used so far, in microseconds (from /proc). */
  cpuMicros(): number;
  /** Resident set size of the child, in bytes (from /proc). */
  rssBytes(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

function readProcCpuMicros(pid: number): number {
  // Fields after the command name (which may contain spaces, so split after the last ')').
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

function readProcRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

export interface SpawnServerOptions {
  /** A label for reports. @default the script's file name */
  name?: string;
  /** Extra environment for the child (merged over process.env). */
  env?: Record<string, string>;
  /** Arguments after the script. */
  args?: string[];
  /** How long to wait for the port line. @default 15000 */
  startTimeoutMs?: number;
}

/**
 * Starts `node <script>` and resolves once the child prints a line with its port: either `LISTENING <port>` or a
 * JSON log line containing `"port":<port>` (what the apps' listening line looks like). The child should listen on
 * 127.0.0.1 port 0. Its stderr is passed through; its other stdout is discarded.
 */
export function spawnServer(script: string | URL, options: SpawnServerOptions = {}): Promise<ChildServer> {
  const path = script instanceof URL ? fileURLToPath(script) : script;
  const name = options.name ?? path.split('/').pop() ?? path;
  const child: ChildProcess = spawn(process.execPath, [path, ...(options.args ?? [])], {
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not announce its port within ${options.startTimeoutMs ?? 15_000} ms`));
    }, options.startTimeoutMs ?? 15_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before announcing its port`));
    };
    child.once('exit', onExit);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /LISTENING (\d+)/.exec(buffered) ?? /"port":(\d+)/.exec(buffered);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining so the child never blocks on a full pipe
      const port = Number(match[1]);
      const pid = child.pid ?? -1;
      resolve({
        name,
        pid,
        port,
        url: `http://127.0.0.1:${port}`,
        cpuMicros: () => readProcCpuMicros(pid),
        rssBytes: () => readProcRssBytes(pid),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
  });
}

export interface Variant {
  name: string;
  /** The URL the load generator hits. */
  url: string;
  /** Processes whose CPU is reported per request (the first is the one under test). */
  servers: ChildServer[];
  headers?: Record<string, string>;
}

export interface VariantResult {
  name: string;
  /** Median over rounds. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Median CPU microseconds per request, for each server of the variant, by server name. */
  cpuPerRequestUs: Record<string, number>;
  non2xx: number;
  errors: number;
  rounds: LoadResult[];
  /** CPU microseconds per request of the first server, round by round (for per-round ratios). */
  cpuRounds: number[];
}

export interface CompareOptions {
  /** @default 3 */
  rounds?: number;
  /** Seconds per measured run. @default 8 */
  durationS?: number;
  /** Seconds of warm-up per variant before the first round. @default 3 */
  warmupS?: number;
  /** @default 50 */
  connections?: number;
  /** Called after each measured run (progress output). */
  onRun?: (
    variant: string,
    round: number,
    result: LoadResult,
    cpuPerRequestUs: Record<string, number>,
  ) => void;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function compareAlternating(
  variants: Variant[],
  options: CompareOptions = {},
): Promise<VariantResult[]> {
  const rounds = options.rounds ?? 3;
  const durationS = options.durationS ?? 8;
  const connections = options.connections ?? 50;
  const warmupS = options.warmupS ?? 3;
  const runs = new Map<string, { load: LoadResult; cpu: Record<string, number> }[]>();
  for (const v of variants) {
    runs.set(v.name, []);
    await runLoad({ url: v.url, connections, durationS: warmupS, headers: v.headers ?? {} });
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const before = v.servers.map((s) => s.cpuMicros());
      const load = await runLoad({ url: v.url, connections, durationS, headers: v.headers ?? {} });
      const cpu: Record<string, number> = {};
      v.servers.forEach((s, i) => {
        cpu[s.name] = (s.cpuMicros() - (before[i] as number)) / Math.max(1, load.requests);
      });
      runs.get(v.name)?.push({ load, cpu });
      options.onRun?.(v.name, round, load, cpu);
    }
  }
  return variants.map((v) => {
    const list = runs.get(v.name) ?? [];
    const cpuPerRequestUs: Record<string, number> = {};
    for (const s of v.servers) cpuPerRequestUs[s.name] = median(list.map((r) => r.cpu[s.name] as number));
    return {
      name: v.name,
      rps: median(list.map((r) => r.load.rps)),
      p50Ms: median(list.map((r) => r.load.p50Ms)),
      p99Ms: median(list.map((r) => r.load.p99Ms)),
      cpuPerRequestUs,
      non2xx: list.reduce((sum, r) => sum + r.load.non2xx, 0),
      errors: list.reduce((sum, r) => sum + r.load.errors, 0),
      rounds: list.map((r) => r.load),
      cpuRounds: list.map((r) => r.cpu[v.servers[0]?.name ?? ''] as number),
    };
  });
}

/** Renders rows as a Markdown table (also readable in a terminal). */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fmt = {
  int: (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  ms: (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a'),
  us: (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a'),
  ratio: (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : 'n/a'),
};

/** A line describing the machine, for the top of a results section. */
export function machineLine(): string {
  const cpus = (() => {
    try {
      const info = readFileSync('/proc/cpuinfo', 'utf8');
      return /model name\s*:\s*(.+)/.exec(info)?.[1] ?? 'unknown CPU';
    } catch {
      return 'unknown CPU';
    }
  })();
  return `Node ${process.version}, ${cpus}, ${new Date().toISOString().slice(0, 10)}`;
}

/**
 * A positive number from the environment (benchmark tuning such as BENCH_ROUNDS), or `fallback` when unset.
 * Throws a TypeError naming the variable when the value is not a positive number (or not an integer, with
 * `integer: true`).
 */
export function envNumber(name: string, fallback: number, options: { integer?: boolean } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const valid = options.integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!valid || value <= 0) {
    throw new TypeError(`${name} must be a positive ${options.integer ? 'integer' : 'number'} (got ${raw})`);
  }
  return value;
}

/** The settings every alternating server benchmark shares, from BENCH_ROUNDS, BENCH_DURATION_S, ... */
export interface RunSettings {
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
}

export function runSettings(): RunSettings {
  return {
    rounds: envNumber('BENCH_ROUNDS', 5),
    durationS: envNumber('BENCH_DURATION_S', 8),
    warmupS: envNumber('BENCH_WARMUP_S', 3),
    connections: envNumber('BENCH_CONNECTIONS', 50),
  };
}

/** The machine and the settings, as the first lines of a benchmark's output (no trailing newline). */
export function runSettingsLine(s: RunSettings): string {
  return `${machineLine()}\n${s.rounds} rounds x ${s.durationS} s, ${s.connections} connections, ${s.warmupS} s warm-up per variant`;
}
