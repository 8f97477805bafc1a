/**
 * Consumer benchmark: `GET /catalog` on the consumer (mock-api behind it, both full stacks: request ids, JSON
 * logs to stdout, metrics, rate limiting with an API-key tier high enough that nothing is refused; plus the
 * consumer's retry, breaker, deadline and stale cache) against a bare two-hop chain in the same run (Express 5 +
 * axios with a keep-alive agent calling Express 5 that serves the same body). wrk, 50 connections, closed loop,
 * alternating rounds after a warm-up; req/s and each process's CPU per request are medians over the rounds.
 * Then light load: 50 users each waiting 1 s between requests, latency percentiles.
 * Target: the consumer path >= 0.80x the bare chain's req/s.
 *
 * Tunable with BENCH_ROUNDS (default 5), BENCH_DURATION_S (8), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (50),
 * BENCH_LATENCY_S (15: length of the light-load run per variant).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type ChildServer,
  compareAlternating,
  envNumber,
  fmt,
  markdownTable,
  runSettings,
  runSettingsLine,
  spawnServer,
  type VariantResult,
} from './harness.js';

const TARGET = 0.8;
const API_KEY = 'bench-consumer-key';
const USERS = 50;
const THINK_MS = 1_000;

/** The built server entry of a workspace app (`dist/server.js` next to its `dist/index.js`). */
function serverOf(pkg: string): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(pkg)), 'server.js');
}

interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchText(url: string, headers: Record<string, string> = {}, agent?: Agent): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    get(url, { headers, ...(agent === undefined ? {} : { agent }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

interface LatencyResult {
  requests: number;
  failures: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/** `USERS` users, each sending one request, waiting for the answer, then thinking `THINK_MS`; for `durationS`. */
async function lightLoad(url: string, durationS: number): Promise<LatencyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: USERS });
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + durationS * 1000;
  const user = async (offsetMs: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, offsetMs));
    while (performance.now() < until) {
      const start = performance.now();
      try {
        const response = await fetchText(url, {}, agent);
        if (response.status === 200) latencies.push(performance.now() - start);
        else failures += 1;
      } catch {
        failures += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, THINK_MS));
    }
  };
  // Users start spread over the first think time, as real users would not arrive in one burst.
  await Promise.all(Array.from({ length: USERS }, (_, i) => user((i * THINK_MS) / USERS)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + failures,
    failures,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
  };
}

export async function run(): Promise<void> {
  const settings = runSettings();
  const { rounds, durationS, warmupS, connections } = settings;
  const latencyS = envNumber('BENCH_LATENCY_S', 15);

  const started: ChildServer[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'bench-consumer-'));
  try {
    const mockApi = await spawnServer(serverOf('@resilience/mock-api'), {
      name: 'mock-api',
      env: { PORT: '0', LOG_LEVEL: 'info', API_KEYS: `${API_KEY}:999999999:999999999` },
    });
    started.push(mockApi);
    const consumer = await spawnServer(serverOf('@resilience/consumer'), {
      name: 'consumer',
      env: { PORT: '0', LOG_LEVEL: 'info', UPSTREAM_URL: mockApi.url, UPSTREAM_API_KEY: API_KEY },
    });
    started.push(consumer);
    // The same consumer with each transport of the upstream client (served by a plain node:http server).
    const consumerEnv = {
      PORT: '0',
      LOG_LEVEL: 'info',
      UPSTREAM_URL: mockApi.url,
      UPSTREAM_API_KEY: API_KEY,
    };
    const consumerUndici = await spawnServer(new URL('./servers/consumer-transport.js', import.meta.url), {
      name: 'consumer-undici',
      env: { ...consumerEnv, BENCH_TRANSPORT: 'undici' },
    });
    started.push(consumerUndici);
    const consumerNodeHttp = await spawnServer(new URL('./servers/consumer-transport.js', import.meta.url), {
      name: 'consumer-node-http',
      env: { ...consumerEnv, BENCH_TRANSPORT: 'node-http' },
    });
    started.push(consumerNodeHttp);

    // The bare upstream serves exactly mock-api's bytes.
    const items = await fetchText(`${mockApi.url}/api/items`, { 'x-api-key': API_KEY });
    if (items.status !== 200) throw new Error(`mock-api /api/items answered ${items.status}`);
    const bodyFile = join(scratch, 'items.json');
    writeFileSync(bodyFile, items.body);
    const bareUpstream = await spawnServer(new URL('./servers/consumer-bare-upstream.js', import.meta.url), {
      name: 'bare-upstream',
      env: { BENCH_BODY_FILE: bodyFile },
    });
    started.push(bareUpstream);
    const bareFront = await spawnServer(new URL('./servers/consumer-bare-front.js', import.meta.url), {
      name: 'bare-front',
      env: { BENCH_UPSTREAM_URL: bareUpstream.url },
    });
    started.push(bareFront);

    // Both paths answer the same document.
    const viaConsumer = await fetchText(`${consumer.url}/catalog`);
    const viaBare = await fetchText(`${bareFront.url}/catalog`);
    if (
      viaConsumer.status !== 200 ||
      viaConsumer.headers['x-cache'] !== 'miss' ||
      viaConsumer.body !== viaBare.body
    ) {
      throw new Error(`the consumer and the bare chain do not answer the same (${viaConsumer.status})`);
    }

    const variants = [
      { name: 'bare', url: `${bareFront.url}/catalog`, servers: [bareFront, bareUpstream] },
      { name: 'consumer', url: `${consumer.url}/catalog`, servers: [consumer, mockApi] },
      {
        name: 'consumer-undici',
        url: `${consumerUndici.url}/catalog`,
        servers: [consumerUndici, mockApi],
      },
      {
        name: 'consumer-node-http',
        url: `${consumerNodeHttp.url}/catalog`,
        servers: [consumerNodeHttp, mockApi],
      },
    ];
    process.stdout.write(`${runSettingsLine(settings)}; ` + `body ${items.body.length} bytes\n`);
    const results = await compareAlternating(variants, {
      rounds,
      durationS,
      warmupS,
      connections,
      onRun: (variant, round, load, cpu) => {
        const cpuText = Object.entries(cpu)
          .map(([name, us]) => `${name} ${fmt.us(us)} us`)
          .join(', ');
        process.stdout.write(
          `  round ${round + 1} ${variant.padEnd(9)} ${fmt.int(load.rps).padStart(6)} req/s  CPU/req: ${cpuText}  (${load.tool})\n`,
        );
      },
    });

    const light: Record<string, LatencyResult> = {};
    for (const v of variants) {
      light[v.name] = await lightLoad(v.url, latencyS);
      const r = light[v.name] as LatencyResult;
      process.stdout.write(
        `  light load ${v.name.padEnd(9)} ${r.requests} requests, p50 ${fmt.ms(r.p50Ms)} ms, p95 ${fmt.ms(r.p95Ms)} ms, p99 ${fmt.ms(r.p99Ms)} ms\n`,
      );
    }
    process.stdout.write(`\n${report(results, light, latencyS)}\n`);
    const errors = results.reduce((sum, r) => sum + r.errors + r.non2xx, 0);
    if (errors > 0) process.stdout.write(`WARNING: ${errors} errors or non-2xx responses during the runs\n`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(results: VariantResult[], light: Record<string, LatencyResult>, latencyS: number): string {
  const byName = new Map(results.map((r) => [r.name, r]));
  const bare = byName.get('bare');
  const ours = byName.get('consumer');
  const cpu = (r: VariantResult | undefined, server: string): number =>
    r?.cpuPerRequestUs[server] ?? Number.NaN;
  const rows = [
    ['bare chain (Express 5 + axios -> Express 5)', bare, 'bare-front', 'bare-upstream'],
    ['consumer -> mock-api', ours, 'consumer', 'mock-api'],
    [
      "consumer (transport 'undici', node:http server) -> mock-api",
      byName.get('consumer-undici'),
      'consumer-undici',
      'mock-api',
    ],
    [
      "consumer (transport 'node-http', node:http server) -> mock-api",
      byName.get('consumer-node-http'),
      'consumer-node-http',
      'mock-api',
    ],
  ] as const;
  const table = markdownTable(
    [
      'path',
      'req/s',
      'vs bare',
      'front CPU/req (us)',
      'upstream CPU/req (us)',
      'both (us)',
      'p50 ms',
      'p99 ms',
    ],
    rows.map(([label, r, front, upstream]) => [
      label,
      fmt.int(r?.rps ?? Number.NaN),
      fmt.ratio((r?.rps ?? Number.NaN) / (bare?.rps ?? Number.NaN)),
      fmt.us(cpu(r, front)),
      fmt.us(cpu(r, upstream)),
      fmt.us(cpu(r, front) + cpu(r, upstream)),
      fmt.ms(r?.p50Ms ?? Number.NaN),
      fmt.ms(r?.p99Ms ?? Number.NaN),
    ]),
  );
  const lightTable = markdownTable(
    ['path', 'requests', 'failures', 'p50 ms', 'p95 ms', 'p99 ms'],
    rows.map(([label, , front]) => {
      const r = light[front === 'bare-front' ? 'bare' : front];
      return [
        label,
        String(r?.requests ?? 0),
        String(r?.failures ?? 0),
        fmt.ms(r?.p50Ms ?? Number.NaN),
        fmt.ms(r?.p95Ms ?? Number.NaN),
        fmt.ms(r?.p99Ms ?? Number.NaN),
      ];
    }),
  );
  const ratio = (ours?.rps ?? Number.NaN) / (bare?.rps ?? Number.NaN);
  // Both chains are CPU bound on the same cores, so the inverse ratio of their CPU per request estimates the
  // req/s ratio on a quiet machine; it moves far less than req/s when other work shares the machine.
  const cpuRatio =
    (cpu(bare, 'bare-front') + cpu(bare, 'bare-upstream')) / (cpu(ours, 'consumer') + cpu(ours, 'mock-api'));
  const frontRatio = cpu(bare, 'bare-front') / cpu(ours, 'consumer');
  const verdict =
    ratio >= TARGET
      ? `consumer path meets the ${TARGET.toFixed(2)}x target (${fmt.ratio(ratio)} of the bare chain's req/s)`
      : `consumer path MISSES the ${TARGET.toFixed(2)}x target (${fmt.ratio(ratio)} of the bare chain's req/s)`;
  const cpuLine =
    `CPU per request, bare / consumer: both processes ${fmt.ratio(cpuRatio)}, front process alone ` +
    `${fmt.ratio(frontRatio)} (inverse ratios: what req/s would show if CPU were the only limit)`;
  return `${table}\n\n${cpuLine}\n\nLight load (${USERS} users, ${THINK_MS / 1000} s think time, ${latencyS} s per path):\n\n${lightTable}\n\n${verdict}`;
}
