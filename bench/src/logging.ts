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
  markdownTable,
  median,
  runSettings,
  runSettingsLine,
  spawnServer,
  type VariantResult,
} from './harness.js';

const TARGET = 0.7;

const SERVERS = [
  { name: 'express', script: 'logging-bare.js', label: 'Express 5 (bare)' },
  { name: 'httpLogger', script: 'logging-http-logger.js', label: 'Express 5 + httpLogger()' },
  { name: 'pino-http', script: 'logging-pino-http.js', label: 'Express 5 + pino-http (minimal serializers)' },
] as const;

export async function run(): Promise<void> {
  const settings = runSettings();
  const { rounds, durationS, warmupS, connections } = settings;

  const started: ChildServer[] = [];
  const perRound: RoundFigures[] = [];
  try {
    for (const s of SERVERS) {
      started.push(await spawnServer(new URL(`./servers/${s.script}`, import.meta.url), { name: s.name }));
    }
    const variants = SERVERS.map((s, i) => {
      const server = started[i] as ChildServer;
      return { name: s.name, url: `${server.url}/item`, servers: [server] };
    });
    process.stdout.write(`${runSettingsLine(settings)}\n`);
    const results = await compareAlternating(variants, {
      rounds,
      durationS,
      warmupS,
      connections,
      onRun: (variant, round, load, cpu) => {
        perRound.push({ variant, round, rps: load.rps, cpuUs: cpu[variant] ?? Number.NaN });
        process.stdout.write(
          `  round ${round + 1} ${variant.padEnd(10)} ${fmt.int(load.rps).padStart(7)} req/s  ` +
            `${fmt.us(cpu[variant] ?? Number.NaN).padStart(4)} us CPU/req  (${load.tool})\n`,
        );
      },
    });
    process.stdout.write(`\n${report(results, perRound)}\n`);
    const errors = results.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    if (errors > 0) process.stdout.write(`WARNING: ${errors} errors or non-2xx responses during the runs\n`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

interface RoundFigures {
  variant: string;
  round: number;
  rps: number;
  cpuUs: number;
}

/**
 * Ratios of a variant against bare Express within each round (the two runs were back to back, so
 * they saw the same machine load): median, min and max over rounds. On a shared machine these are
 * steadier than the ratio of the medians.
 */
function pairedRatios(perRound: RoundFigures[], variant: string): { rps: number[]; cpu: number[] } {
  const rps: number[] = [];
  const cpu: number[] = [];
  for (const own of perRound.filter((r) => r.variant === variant)) {
    const base = perRound.find((r) => r.variant === 'express' && r.round === own.round);
    if (base === undefined) continue;
    rps.push(own.rps / base.rps);
    cpu.push(base.cpuUs / own.cpuUs);
  }
  return { rps, cpu };
}

function range(values: number[]): string {
  if (values.length === 0) return 'n/a';
  return `${fmt.ratio(median(values))} (${fmt.ratio(Math.min(...values))}-${fmt.ratio(Math.max(...values))})`;
}

function report(results: VariantResult[], perRound: RoundFigures[]): string {
  const byName = new Map(results.map((r) => [r.name, r]));
  const base = byName.get('express');
  const cpuOf = (r: VariantResult | undefined): number => r?.cpuPerRequestUs[r.name] ?? Number.NaN;
  const rows = SERVERS.map((s) => {
    const r = byName.get(s.name);
    const paired = pairedRatios(perRound, s.name);
    return [
      s.label,
      fmt.int(r?.rps ?? Number.NaN),
      fmt.ratio((r?.rps ?? Number.NaN) / (base?.rps ?? Number.NaN)),
      range(paired.rps),
      fmt.us(cpuOf(r)),
      fmt.ratio(cpuOf(base) / cpuOf(r)),
      range(paired.cpu),
      fmt.ms(r?.p50Ms ?? Number.NaN),
      fmt.ms(r?.p99Ms ?? Number.NaN),
    ];
  });
  const paired = pairedRatios(perRound, 'httpLogger');
  const rpsRatio = median(paired.rps);
  const cpuRatio = median(paired.cpu);
  const figures = `req/s ${fmt.ratio(rpsRatio)}, CPU ${fmt.ratio(cpuRatio)}; medians of per-round ratios`;
  const verdict =
    rpsRatio >= TARGET && cpuRatio >= TARGET
      ? `httpLogger() meets the ${TARGET.toFixed(2)}x target (${figures})`
      : `httpLogger() MISSES the ${TARGET.toFixed(2)}x target (${figures})`;
  return `${markdownTable(
    [
      'variant',
      'req/s (median)',
      'ratio of medians',
      'per-round ratio: median (min-max)',
      'CPU/req us (median)',
      'inverse ratio of medians',
      'per-round inverse ratio: median (min-max)',
      'p50 ms',
      'p99 ms',
    ],
    rows,
  )}\n\n${verdict}`;
}
