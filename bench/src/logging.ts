/**
 * Logging benchmark: bare Express 5 against Express 5 + `httpLogger()` (and, for the record, + pino-http
 * with minimal serializers), the same small JSON, loggers writing to /dev/null. Variants run alternately
 * after a warm-up; req/s and server CPU per request are medians over the rounds.
 * Target: `httpLogger()` >= 0.70x bare Express, in req/s and in the inverse ratio of CPU per request.
 *
 * Tunable with BENCH_ROUNDS (default 5), BENCH_DURATION_S (8), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (50).
 */
import {
  type ChildServer,
  compareAlternating,
  fmt,
  machineLine,
  markdownTable,
  spawnServer,
  type VariantResult,
} from './harness.js';

const TARGET = 0.7;

const SERVERS = [
  { name: 'express', script: 'logging-bare.js', label: 'Express 5 (bare)' },
  { name: 'httpLogger', script: 'logging-http-logger.js', label: 'Express 5 + httpLogger()' },
  { name: 'pino-http', script: 'logging-pino-http.js', label: 'Express 5 + pino-http (minimal serializers)' },
] as const;

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number (got ${raw})`);
  return value;
}

export async function run(): Promise<void> {
  const rounds = positiveNumber('BENCH_ROUNDS', 5);
  const durationS = positiveNumber('BENCH_DURATION_S', 8);
  const warmupS = positiveNumber('BENCH_WARMUP_S', 3);
  const connections = positiveNumber('BENCH_CONNECTIONS', 50);

  const started: ChildServer[] = [];
  try {
    for (const s of SERVERS) {
      started.push(await spawnServer(new URL(`./servers/${s.script}`, import.meta.url), { name: s.name }));
    }
    const variants = SERVERS.map((s, i) => {
      const server = started[i] as ChildServer;
      return { name: s.name, url: `${server.url}/item`, servers: [server] };
    });
    process.stdout.write(
      `${machineLine()}\n${rounds} rounds x ${durationS} s, ${connections} connections, ${warmupS} s warm-up per variant\n`,
    );
    const results = await compareAlternating(variants, {
      rounds,
      durationS,
      warmupS,
      connections,
      onRun: (variant, round, load, cpu) => {
        process.stdout.write(
          `  round ${round + 1} ${variant.padEnd(10)} ${fmt.int(load.rps).padStart(7)} req/s  ` +
            `${fmt.us(cpu[variant] ?? Number.NaN).padStart(4)} us CPU/req  (${load.tool})\n`,
        );
      },
    });
    process.stdout.write(`\n${report(results)}\n`);
    const errors = results.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    if (errors > 0) process.stdout.write(`WARNING: ${errors} errors or non-2xx responses during the runs\n`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

function report(results: VariantResult[]): string {
  const byName = new Map(results.map((r) => [r.name, r]));
  const base = byName.get('express');
  const cpuOf = (r: VariantResult | undefined): number => r?.cpuPerRequestUs[r.name] ?? Number.NaN;
  const rows = SERVERS.map((s) => {
    const r = byName.get(s.name);
    const rpsRatio = (r?.rps ?? Number.NaN) / (base?.rps ?? Number.NaN);
    const cpuRatio = cpuOf(base) / cpuOf(r);
    return [
      s.label,
      fmt.int(r?.rps ?? Number.NaN),
      fmt.ratio(rpsRatio),
      fmt.us(cpuOf(r)),
      fmt.ratio(cpuRatio),
      fmt.ms(r?.p50Ms ?? Number.NaN),
      fmt.ms(r?.p99Ms ?? Number.NaN),
    ];
  });
  const ours = byName.get('httpLogger');
  const rpsRatio = (ours?.rps ?? Number.NaN) / (base?.rps ?? Number.NaN);
  const cpuRatio = cpuOf(base) / cpuOf(ours);
  const verdict =
    rpsRatio >= TARGET && cpuRatio >= TARGET
      ? `httpLogger() meets the ${TARGET.toFixed(2)}x target (req/s ${fmt.ratio(rpsRatio)}, CPU ${fmt.ratio(cpuRatio)})`
      : `httpLogger() MISSES the ${TARGET.toFixed(2)}x target (req/s ${fmt.ratio(rpsRatio)}, CPU ${fmt.ratio(cpuRatio)})`;
  return `${markdownTable(
    ['variant', 'req/s', 'vs bare', 'CPU/req (us)', 'vs bare (inverse)', 'p50 ms', 'p99 ms'],
    rows,
  )}\n\n${verdict}`;
}
