/**
 * Redis reply times as mock-api sees them, on an idle and on a CPU-loaded machine: what a command timeout must
 * allow for. The real mock-api on the shared Redis (its own key prefix, deleted after) serves a closed loop of
 * `GET /api/items` (one rate-limit script per window: two commands per request), first alone, then with one CPU
 * hog per core. Every command's time from send to settled reply is recorded in the server
 * (mock-api-redis-timed.ts); the report gives percentiles per round and how many commands a given timeout would
 * have cut. Tunable with BENCH_ROUNDS (3), BENCH_DURATION_S (10), BENCH_CONNECTIONS (50), REDIS_URL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { createClient } from 'redis';
import { envNumber, machineLine, markdownTable, runLoad, spawnServer } from './harness.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const TIMEOUTS_MS = [50, 100, 250, 500, 1000, 2000];

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function deleteKeys(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.del(keys);
  }
  client.destroy();
}

function startHogs(count: number): () => void {
  const hogs = Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  return () => {
    for (const hog of hogs) hog.kill('SIGKILL');
  };
}

export async function run(): Promise<void> {
  const rounds = envNumber('BENCH_ROUNDS', 3, { integer: true });
  const durationS = envNumber('BENCH_DURATION_S', 10);
  const connections = envNumber('BENCH_CONNECTIONS', 50, { integer: true });
  const prefix = `bench:redis-replies:${randomBytes(4).toString('hex')}:`;
  const server = await spawnServer(new URL('./servers/mock-api-redis-timed.js', import.meta.url), {
    name: 'mock-api (Redis, timed)',
    env: { REDIS_URL, BENCH_REDIS_PREFIX: prefix },
  });
  const rows: (string | number)[][] = [];
  try {
    process.stdout.write(`${machineLine()}\n`);
    for (let round = 1; round <= rounds; round += 1) {
      for (const hogs of [0, availableParallelism()]) {
        await fetch(`${server.url}/__redis-replies`, { method: 'DELETE' });
        const stopHogs = startHogs(hogs);
        let load: number[];
        try {
          await runLoad({ url: `${server.url}/api/items`, connections, durationS, tool: 'autocannon' });
          load = loadavg();
        } finally {
          stopHogs();
        }
        const durations = ((await (await fetch(`${server.url}/__redis-replies`)).json()) as number[]).sort(
          (a, b) => a - b,
        );
        rows.push([
          round,
          hogs,
          (load[0] ?? 0).toFixed(1),
          durations.length,
          ...[50, 99, 99.9, 99.99].map((p) => percentile(durations, p).toFixed(1)),
          (durations.at(-1) ?? Number.NaN).toFixed(0),
          ...TIMEOUTS_MS.map((ms) => durations.filter((d) => d > ms).length),
        ]);
      }
    }
  } finally {
    await server.stop();
    await deleteKeys(prefix);
  }
  process.stdout.write(
    `\n${markdownTable(
      [
        'round',
        'CPU hogs',
        'load (1 min)',
        'commands',
        'p50 ms',
        'p99 ms',
        'p99.9 ms',
        'p99.99 ms',
        'max ms',
        ...TIMEOUTS_MS.map((ms) => `> ${ms} ms`),
      ],
      rows,
    )}\n`,
  );
}
