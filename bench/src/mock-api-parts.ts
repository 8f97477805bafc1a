/**
 * mock-api-parts benchmark: where the full stack's CPU goes. Bare Express 5, then the same app with mock-api's
 * pieces added one at a time (`httpLogger()`, then `createHttpMetrics()`, then `createRateLimit()` with the
 * memory store), all serving the same `GET /api/items` body, alternately in one run; server CPU per request and
 * req/s are medians over the rounds, and each step's cost is the difference of CPU medians to the step before.
 *
 * Tunable with BENCH_ROUNDS (default 5), BENCH_DURATION_S (8), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (50).
 */
import {
  type ChildServer,
  compareAlternating,
  fmt,
  markdownTable,
  runSettings,
  runSettingsLine,
  spawnServer,
  type Variant,
} from './harness.js';

const STEPS = [
  { name: 'express', parts: '' },
  { name: '+logger', parts: 'logger' },
  { name: '+metrics', parts: 'logger,metrics' },
  { name: '+ratelimit', parts: 'logger,metrics,ratelimit' },
] as const;

export async function run(): Promise<void> {
  const settings = runSettings();
  const started: ChildServer[] = [];
  try {
    const variants: Variant[] = [];
    for (const step of STEPS) {
      const server = await spawnServer(new URL('./servers/mock-api-parts.js', import.meta.url), {
        name: step.name,
        env: { BENCH_PARTS: step.parts },
      });
      started.push(server);
      variants.push({ name: step.name, url: `${server.url}/api/items`, servers: [server] });
    }
    process.stdout.write(`${runSettingsLine(settings)}\n`);
    const results = await compareAlternating(variants, {
      ...settings,
      onRun: (variant, round, load, cpu) => {
        process.stdout.write(
          `  round ${round + 1} ${variant.padEnd(12)} ${fmt.int(load.rps).padStart(7)} req/s  ` +
            `${fmt.us(cpu[variant] ?? Number.NaN).padStart(4)} us CPU/req  non-2xx ${load.non2xx}  (${load.tool})\n`,
        );
      },
    });
    const cpuOf = (index: number): number => {
      const r = results[index];
      return r?.cpuPerRequestUs[r.name] ?? Number.NaN;
    };
    const rows = results.map((r, index) => [
      r.name,
      fmt.int(r.rps),
      fmt.us(cpuOf(index)),
      index === 0 ? '-' : fmt.us(cpuOf(index) - cpuOf(index - 1)),
      fmt.ratio(cpuOf(0) / cpuOf(index)),
      r.non2xx + r.errors,
    ]);
    process.stdout.write(
      `\n${markdownTable(['variant', 'req/s', 'CPU us/req', 'step cost us/req', 'bare CPU / CPU', 'non-2xx+errors'], rows)}\n`,
    );
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}
