/**
 * mock-api benchmark: `GET /api/items` through the whole mock-api stack (request ids and one log line per
 * request to /dev/null, both rate-limit windows with limits nothing reaches, HTTP + default metrics), with the
 * memory stores and with the Redis stores, against bare Express 5 serving the same body and against the naive
 * peer (Express 5 + pino-http + two stacked express-rate-limit limiters, MemoryStore or rate-limit-redis
 * RedisStore); all run alternately after a warm-up, and req/s and server CPU per request are medians over the
 * rounds, with the range of the per-round ratios.
 * Targets (server CPU per request): mock-api >= 0.75x bare Express with memory stores and >= 0.70x with Redis,
 * and >= 1.5x the naive peer on the same store.
 * Then: memory held by the rate-limit stores after 100,000 distinct clients (BENCH_KEYS), memory and Redis.
 *
 * Tunable with BENCH_ROUNDS (default 5), BENCH_DURATION_S (8), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (50),
 * BENCH_KEYS (100000), REDIS_URL (redis://127.0.0.1:6379; the Redis variants are skipped when unreachable).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import {
  type ChildServer,
  compareAlternating,
  fmt,
  markdownTable,
  median,
  runSettings,
  runSettingsLine,
  spawnServer,
  type Variant,
  type VariantResult,
} from './harness.js';

const execFileAsync = promisify(execFile);
/** Minimum `reference CPU / variant CPU` per variant, by reference. */
const TARGETS: Record<string, { reference: string; min: number }[]> = {
  'mock-api-memory': [
    { reference: 'express', min: 0.75 },
    { reference: 'naive-memory', min: 1.5 },
  ],
  'mock-api-redis': [
    { reference: 'express', min: 0.7 },
    { reference: 'naive-redis', min: 1.5 },
  ],
};
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
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

/** Sum of `rate_limit_store_errors_total` on a mock-api server (each failed store operation). */
async function countStoreErrors(server: ChildServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let sum = 0;
  for (const match of text.matchAll(/^rate_limit_store_errors_total\{[^}]*\} (\d+)$/gm))
    sum += Number(match[1]);
  return sum;
}

interface StoreMemory {
  store: string;
  clients: number;
  failures: number;
  seconds: number;
  heapBytes: number;
  redisBytes: number;
  redisKeys: number;
}

async function measureStoreMemory(redis: boolean): Promise<StoreMemory> {
  const script = fileURLToPath(new URL('./servers/mock-api-store-memory.js', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', script], {
    env: { ...process.env, REDIS_URL: redis ? REDIS_URL : '', NODE_ENV: 'production' },
    maxBuffer: 1 << 20,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as StoreMemory;
}

export async function run(): Promise<void> {
  const settings = runSettings();
  const { rounds, durationS, warmupS, connections } = settings;
  const withRedis = await redisReachable();
  const redisPrefix = `bench:mock-api:${process.pid}:`;
  if (!withRedis) process.stdout.write(`Redis at ${REDIS_URL} unreachable: Redis variants skipped\n`);

  const started: ChildServer[] = [];
  const server = (script: string) => new URL(`./servers/${script}`, import.meta.url);
  try {
    const bare = await spawnServer(server('mock-api-bare.js'), { name: 'express' });
    started.push(bare);
    const memory = await spawnServer(server('mock-api-full.js'), {
      name: 'mock-api-memory',
      env: { REDIS_URL: '' },
    });
    started.push(memory);
    const naiveMemory = await spawnServer(server('mock-api-naive.js'), {
      name: 'naive-memory',
      env: { REDIS_URL: '' },
    });
    started.push(naiveMemory);
    const variants: Variant[] = [
      { name: 'express', url: `${bare.url}/api/items`, servers: [bare] },
      { name: 'mock-api-memory', url: `${memory.url}/api/items`, servers: [memory] },
      { name: 'naive-memory', url: `${naiveMemory.url}/api/items`, servers: [naiveMemory] },
    ];
    if (withRedis) {
      const redis = await spawnServer(server('mock-api-full.js'), {
        name: 'mock-api-redis',
        env: { REDIS_URL, BENCH_REDIS_PREFIX: redisPrefix },
      });
      started.push(redis);
      const naiveRedis = await spawnServer(server('mock-api-naive.js'), {
        name: 'naive-redis',
        env: { REDIS_URL, BENCH_REDIS_PREFIX: `${redisPrefix}naive:` },
      });
      started.push(naiveRedis);
      variants.push(
        { name: 'mock-api-redis', url: `${redis.url}/api/items`, servers: [redis] },
        { name: 'naive-redis', url: `${naiveRedis.url}/api/items`, servers: [naiveRedis] },
      );
    }

    process.stdout.write(`${runSettingsLine(settings)}\n`);
    const results = await compareAlternating(variants, {
      rounds,
      durationS,
      warmupS,
      connections,
      onRun: (variant, round, load, cpu) => {
        process.stdout.write(
          `  round ${round + 1} ${variant.padEnd(16)} ${fmt.int(load.rps).padStart(7)} req/s  ` +
            `${fmt.us(cpu[variant] ?? Number.NaN).padStart(4)} us CPU/req  non-2xx ${load.non2xx}  (${load.tool})\n`,
        );
      },
    });
    const storeErrors: Record<string, number> = {};
    for (const v of variants) {
      if (v.name.startsWith('mock-api'))
        storeErrors[v.name] = await countStoreErrors(v.servers[0] as ChildServer);
    }
    await Promise.all(started.splice(0).map((s) => s.stop()));

    process.stdout.write('\nrate-limit store memory after distinct clients (one request each):\n');
    const memoryResults = [await measureStoreMemory(false)];
    if (withRedis) memoryResults.push(await measureStoreMemory(true));
    process.stdout.write(`\n${report(results)}\n\n${memoryReport(memoryResults)}\n`);
    process.stdout.write(
      `\nrate-limit store errors during the runs (requests let through unlimited): ${JSON.stringify(storeErrors)}\n`,
    );
    const errors = results.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    if (errors > 0) process.stdout.write(`WARNING: ${errors} errors or non-2xx responses during the runs\n`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    if (withRedis) await deleteKeys(redisPrefix);
  }
}

/** Per-round ratios `f(reference round) / f(variant round)`: median (min-max). */
function perRound(reference: number[], variant: number[]): { median: number; min: number; max: number } {
  const ratios = variant.map((v, i) => (reference[i] ?? Number.NaN) / v);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

function range(r: { median: number; min: number; max: number }): string {
  return `${fmt.ratio(r.median)} (${fmt.ratio(r.min)}-${fmt.ratio(r.max)})`;
}

function report(results: VariantResult[]): string {
  const byName = new Map(results.map((r) => [r.name, r]));
  const base = byName.get('express');
  const cpuOf = (r: VariantResult | undefined): number => r?.cpuPerRequestUs[r.name] ?? Number.NaN;
  const rows = results.map((r) => {
    const rps = perRound(
      r.rounds.map((x) => x.rps),
      base?.rounds.map((x) => x.rps) ?? [],
    );
    const cpu = perRound(base?.cpuRounds ?? [], r.cpuRounds);
    const naive = byName.get(r.name.replace('mock-api', 'naive'));
    const vsNaive =
      r.name.startsWith('mock-api') && naive ? range(perRound(naive.cpuRounds, r.cpuRounds)) : '-';
    const verdicts = (TARGETS[r.name] ?? []).map(({ reference, min }) => {
      const ref = byName.get(reference);
      if (!ref) return `${reference}: n/a`;
      const ratio = cpuOf(ref) / cpuOf(r);
      return `${ratio >= min ? 'meets' : 'misses'} >= ${min}x ${reference}`;
    });
    return [
      r.name,
      fmt.int(r.rps),
      r === base ? '1.00x' : range(rps),
      fmt.us(cpuOf(r)),
      r === base ? '1.00x' : `**${fmt.ratio(cpuOf(base) / cpuOf(r))}** ${range(cpu)}`,
      vsNaive === '-' ? '-' : `**${fmt.ratio(cpuOf(naive) / cpuOf(r))}** ${vsNaive}`,
      fmt.ms(r.p50Ms),
      fmt.ms(r.p99Ms),
      r.non2xx + r.errors,
      r === base ? 'baseline' : verdicts.join('; ') || '-',
    ];
  });
  return markdownTable(
    [
      'variant',
      'req/s',
      'req/s vs bare, per round: median (min-max)',
      'CPU us/req',
      'bare CPU / CPU: of medians, per round median (min-max)',
      'naive CPU / CPU (same store)',
      'p50 ms',
      'p99 ms',
      'non-2xx+errors',
      'target (CPU medians)',
    ],
    rows,
  );
}

function memoryReport(results: StoreMemory[]): string {
  const mb = (bytes: number) => (Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : 'n/a');
  return markdownTable(
    [
      'store',
      'clients',
      'Node heap MB',
      'Redis used_memory MB',
      'Redis keys',
      'bytes/client',
      'failed requests',
    ],
    results.map((r) => {
      const bytes = r.store === 'redis' ? r.redisBytes : r.heapBytes;
      return [
        r.store,
        fmt.int(r.clients),
        mb(r.heapBytes),
        r.store === 'redis' ? mb(r.redisBytes) : '-',
        r.store === 'redis' ? fmt.int(r.redisKeys) : '-',
        fmt.int(bytes / r.clients),
        r.failures,
      ];
    }),
  );
}
