import { createFaultProxy, type FaultProxy, type FaultProxyFaults } from '@resilience/fault-proxy';
import {
  createPrivateRedis,
  type PrivateRedis,
  redisServerAvailable,
} from '@resilience/test-support/redis-server';
import { MemoryStore } from 'express-rate-limit';
import { createClient } from 'redis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Order } from '../src/orders/order-store.js';
import { buildApp, type TestApp } from './helpers/build-app.js';
import { uniquePrefix } from './helpers/redis.js';

// Real processes and real sockets: generous bounds, nothing here measures time.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const API_KEY = 'exactly-once-key';
const ENV = { API_KEYS: `${API_KEY}:1000000:1000000`, RATE_LIMIT_ON_STORE_ERROR: 'open' };
const KEYS_PER_RUN = 25;
/** A safety net only: every key normally gets its 201 within a few attempts. */
const MAX_ATTEMPTS = 2000;

/** A seeded source for the proxy's jitter (mulberry32), so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface KeyResult {
  readonly key: string;
  readonly created: Order;
  readonly statuses: readonly string[];
}

/**
 * What a careful client does: POST with one Idempotency-Key until it gets a 201, on whichever instance, and treat
 * every 503 as "retry with the same key". Anything else is a failure of the promise under test.
 */
async function orderUntilCreated(
  instances: readonly TestApp[],
  key: string,
  body: unknown,
): Promise<KeyResult> {
  const statuses: string[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const instance = instances[attempt % instances.length] as TestApp;
    const answer = await request(instance.mockApi.app)
      .post('/api/orders')
      .set({ 'X-API-Key': API_KEY, 'Idempotency-Key': key, 'Content-Type': 'application/json' })
      .send(JSON.stringify(body));
    statuses.push(answer.status === 201 ? '201' : `${answer.status} ${String(answer.body.error)}`);
    if (answer.status === 201) return { key, created: answer.body as Order, statuses };
    if (answer.status !== 503) throw new Error(`key ${key}: unexpected answer ${statuses.at(-1)}`);
  }
  throw new Error(`key ${key}: no 201 in ${MAX_ATTEMPTS} attempts: ${statuses.slice(-5).join(', ')}`);
}

/** Every order under `prefix`, read straight from Redis (not through the proxy). */
async function ordersIn(url: string, prefix: string): Promise<Order[]> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    const keys = await client.keys(`${prefix}{orders}:order:*`);
    if (keys.length === 0) return [];
    const values = await client.mGet(keys);
    return values
      .filter((value): value is string => value !== null)
      .map((value) => JSON.parse(value) as Order);
  } finally {
    client.destroy();
  }
}

/** Runs `KEYS_PER_RUN` keys, three at a time, each to its 201; checks 0 duplicates and 0 lost against `stored`. */
async function checkExactlyOnce(
  instances: readonly TestApp[],
  stored: () => Promise<readonly Order[]>,
  label: string,
): Promise<string[]> {
  const keys = Array.from({ length: KEYS_PER_RUN }, (_, index) => `${label}-${index}`);
  const results: KeyResult[] = [];
  for (let start = 0; start < keys.length; start += 3) {
    const batch = keys.slice(start, start + 3);
    // Each key is sent twice at once as well: concurrent same-key requests must still make one order.
    const settled = await Promise.all(
      batch.flatMap((key) =>
        [0, 1].map(() => orderUntilCreated(instances, key, { itemId: '3', quantity: 2 })),
      ),
    );
    results.push(...settled);
  }
  const orders = await stored();
  const byKey = new Map<string, Order[]>();
  for (const order of orders) {
    const list = byKey.get(String(order.idempotencyKey)) ?? [];
    list.push(order);
    byKey.set(String(order.idempotencyKey), list);
  }
  const duplicates = [...byKey.entries()].filter(([, list]) => list.length > 1).map(([key]) => key);
  expect(duplicates).toEqual([]);
  expect(byKey.size).toBe(KEYS_PER_RUN);
  for (const result of results) {
    // Not lost: the order every 201 named is the one stored for its key, and both attempts got the same one.
    expect(byKey.get(result.key)?.[0]).toEqual(result.created);
  }
  return results.flatMap((result) => result.statuses);
}

describe('exactly one order per Idempotency-Key, in memory', () => {
  it('under concurrent retries of every key', async () => {
    const app = buildApp(ENV);
    try {
      const statuses = await checkExactlyOnce(
        [app],
        async () => {
          const listed = await request(app.mockApi.app)
            .get('/api/orders?limit=10000')
            .set('X-API-Key', API_KEY);
          return listed.body.orders as Order[];
        },
        'memory',
      );
      expect(statuses.filter((status) => status === '201')).toHaveLength(2 * KEYS_PER_RUN);
    } finally {
      await app.close();
    }
  });
});

const canStartRedis = redisServerAvailable();

describe.skipIf(!canStartRedis)('exactly one order per Idempotency-Key, on a Redis that misbehaves', () => {
  let redis: PrivateRedis;
  let proxy: FaultProxy;

  beforeAll(async () => {
    redis = await createPrivateRedis();
    await redis.start();
    proxy = await createFaultProxy({
      target: { host: '127.0.0.1', port: redis.port },
      random: seeded(20261203),
    });
  });

  afterAll(async () => {
    await proxy?.close();
    await redis?.kill();
  });

  /** `count` mock-api instances on one Redis through the proxy, rate limits in memory (orders are under test). */
  async function instances(
    count: number,
    commandTimeoutMs: number,
  ): Promise<{ apps: TestApp[]; prefix: string }> {
    const prefix = uniquePrefix('exactly-once');
    const env = {
      ...ENV,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_KEY_PREFIX: prefix,
      REDIS_COMMAND_TIMEOUT_MS: String(commandTimeoutMs),
    };
    const apps = Array.from({ length: count }, () =>
      buildApp(env, { rateLimitStores: { minute: new MemoryStore(), hour: new MemoryStore() } }),
    );
    proxy.setFaults({});
    await Promise.all(apps.map((app) => app.mockApi.waitForRedis(60_000)));
    return { apps, prefix };
  }

  const profiles: ReadonlyArray<readonly [string, FaultProxyFaults, number]> = [
    // 0-55 ms each way against a 40 ms command deadline: most writes time out while still on the wire.
    ['jitter 0-55 ms each way, 40 ms command timeout', { jitterMs: 55 }, 40],
    // Every 4th reply cut in half and the connection reset: the script ran, its answer never arrives.
    ['every 4th reply reset mid-reply', { resetReplyEvery: 4, jitterMs: 5 }, 1000],
  ];

  async function post(app: TestApp, key: string): Promise<request.Response> {
    return request(app.mockApi.app)
      .post('/api/orders')
      .set({ 'X-API-Key': API_KEY, 'Idempotency-Key': key, 'Content-Type': 'application/json' })
      .send(JSON.stringify({ itemId: '5', quantity: 1 }));
  }

  it('a write held by a stall may run late: the 503 said "unknown", and retrying ends with exactly one order', async () => {
    const { apps, prefix } = await instances(1, 200);
    const app = apps[0] as TestApp;
    try {
      proxy.setFaults({ stall: true });
      const held = await post(app, 'stalled-1');
      expect(held.status).toBe(503);
      expect(held.body.error).toBe('order_outcome_unknown');
      expect(proxy.stats().held).toBeGreaterThan(0);
      // Held in the proxy, not lost: nothing has reached Redis yet.
      expect(await ordersIn(redis.url, prefix)).toHaveLength(0);
      // The stall ends: the held script reaches Redis now, after its request gave up (unless the connection was
      // dropped meanwhile), and the retries find its order or create the one order.
      proxy.setFaults({});
      const retried = await orderUntilCreated([app], 'stalled-1', { itemId: '5', quantity: 1 });
      expect(retried.statuses.at(-1)).toBe('201');
      const orders = await ordersIn(redis.url, prefix);
      expect(orders).toHaveLength(1);
      expect(orders[0]).toEqual(retried.created);
    } finally {
      proxy.setFaults({});
      await app.close();
    }
  });

  it('a write lost in a blackhole never ran: retrying after the partition ends with exactly one order', async () => {
    const { apps, prefix } = await instances(1, 200);
    const app = apps[0] as TestApp;
    try {
      proxy.setFaults({ blackhole: true });
      const lost = await post(app, 'blackholed-1');
      expect(lost.status).toBe(503);
      // The client cannot tell a swallowed write from a late one: the honest answer is "unknown".
      expect(lost.body.error).toBe('order_outcome_unknown');
      // Swallowed: nothing reached Redis.
      expect(await ordersIn(redis.url, prefix)).toHaveLength(0);
      // The partition ends; the connection that lost bytes is reset and the client reconnects.
      proxy.setFaults({});
      await app.mockApi.waitForRedis(60_000);
      const retried = await orderUntilCreated([app], 'blackholed-1', { itemId: '5', quantity: 1 });
      const orders = await ordersIn(redis.url, prefix);
      expect(orders).toHaveLength(1);
      expect(orders[0]).toEqual(retried.created);
    } finally {
      proxy.setFaults({});
      await app.close();
    }
  });

  for (const instanceCount of [1, 2]) {
    it.each(profiles)(`${instanceCount} instance(s), %s`, async (_name, faults, commandTimeoutMs) => {
      const { apps, prefix } = await instances(instanceCount, commandTimeoutMs);
      try {
        proxy.setFaults(faults);
        const statuses = await checkExactlyOnce(apps, () => ordersIn(redis.url, prefix), `i${instanceCount}`);
        proxy.setFaults({});
        // The faults really bit: some attempts could not tell whether their order was saved.
        expect(statuses.filter((status) => status === '503 order_outcome_unknown').length).toBeGreaterThan(0);
        const replays = await request((apps[0] as TestApp).mockApi.app)
          .get('/metrics')
          .then((answer) => answer.text);
        expect(replays).toMatch(/^idempotent_replays_total [1-9]/m);
      } finally {
        proxy.setFaults({});
        await Promise.all(apps.map((app) => app.close()));
      }
    });
  }
});
