/**
 * Measures the memory mock-api's rate-limit stores hold after N distinct clients (default 100,000) each made
 * one request: the real app (TRUST_PROXY=loopback, a distinct X-Forwarded-For per client, limits so high
 * nothing is refused) driven over HTTP from this same process. Memory store: heap used after a full GC, before
 * and after. Redis store (REDIS_URL set): Redis `used_memory` before and after, keys under BENCH_REDIS_PREFIX.
 * Run with `node --expose-gc`; prints one JSON line.
 */

import { openSync, writeSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@resilience/logging';
import { createApp, loadConfig } from '@resilience/mock-api';
import { createClient } from 'redis';

const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const CONCURRENCY = 32;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const redisUrl = process.env.REDIS_URL;
const prefix = process.env.BENCH_REDIS_PREFIX ?? `bench:mock-api:memory:${process.pid}:`;

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const fd = openSync('/dev/null', 'w');
const logger = createLogger({
  level: 'warn',
  destination: { write: (line: string) => void writeSync(fd, line) },
});
const config = loadConfig({
  TRUST_PROXY: 'loopback',
  RATE_LIMIT_PER_MINUTE: '1000000000',
  RATE_LIMIT_PER_HOUR: '1000000000',
  ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {}),
});
const mockApi = createApp(config, { logger, collectDefaultMetrics: false });
await mockApi.waitForRedis(10_000);
const server = mockApi.app.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const port = (server.address() as AddressInfo).port;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(clientIndex: number): Promise<number> {
  const ip = `10.${(clientIndex >> 16) & 255}.${(clientIndex >> 8) & 255}.${clientIndex & 255}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/items/1', agent, headers: { 'x-forwarded-for': ip } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function drive(): Promise<number> {
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < KEYS) {
      const index = next;
      next += 1;
      if ((await get(index)) !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures;
}

const redis = redisUrl ? createClient({ url: redisUrl }) : undefined;
await redis?.connect();
const redisUsed = async (): Promise<number> =>
  Number(/used_memory:(\d+)/.exec((await redis?.info('memory')) ?? '')?.[1] ?? Number.NaN);

// Warm the code paths with one client, so the first-use allocations do not count as store memory.
await get(KEYS + 1);
const heapBefore = heapUsed();
const redisBefore = redis ? await redisUsed() : Number.NaN;
const started = Date.now();
const failures = await drive();
const seconds = (Date.now() - started) / 1000;
const heapAfter = heapUsed();
const redisAfter = redis ? await redisUsed() : Number.NaN;
const redisKeys = redis ? (await redis.keys(`${prefix}rl:*`)).length : 0;

process.stdout.write(
  `${JSON.stringify({
    store: redis ? 'redis' : 'memory',
    clients: KEYS,
    failures,
    seconds,
    heapBytes: heapAfter - heapBefore,
    redisBytes: redisAfter - redisBefore,
    redisKeys,
  })}\n`,
);

if (redis) {
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await redis.del(keys);
  }
  redis.destroy();
}
agent.destroy();
server.closeAllConnections();
server.close();
await mockApi.close();
