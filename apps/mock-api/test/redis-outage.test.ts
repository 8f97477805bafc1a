import {
  createPrivateRedis,
  type PrivateRedis,
  redisServerAvailable,
} from '@resilience/test-support/redis-server';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type TestApp } from './helpers/build-app.js';
import { uniquePrefix } from './helpers/redis.js';

// These tests start, kill, freeze and restart their own redis-server on a free port; the shared one is never touched.
const available = redisServerAvailable();
let redis: PrivateRedis | undefined;
let current: TestApp | undefined;

afterEach(async () => {
  redis?.resume();
  await current?.close();
  await redis?.kill();
  current = undefined;
  redis = undefined;
});

async function start(env: Record<string, string>, startRedis = true): Promise<TestApp['mockApi']['app']> {
  redis = await createPrivateRedis();
  if (startRedis) await redis.start();
  // A generous command timeout unless the test is about timeouts: a busy machine must not turn slow replies into
  // store errors here (a killed Redis fails commands at once, whatever the timeout).
  current = buildApp({
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: uniquePrefix('outage'),
    REDIS_COMMAND_TIMEOUT_MS: '10000',
    ...env,
  });
  if (startRedis) await current.mockApi.waitForRedis();
  return current.mockApi.app;
}

async function statuses(target: TestApp['mockApi']['app'], count: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push((await request(target).get('/api/items')).status);
  return result;
}

function storeErrors(): TestApp['logs'] {
  return (current?.logs ?? []).filter((line) => line.msg.startsWith('rate-limit store failed'));
}

async function metric(target: TestApp['mockApi']['app'], pattern: RegExp): Promise<number> {
  const text = (await request(target).get('/metrics')).text;
  return Number(pattern.exec(text)?.[1] ?? Number.NaN);
}

describe.skipIf(!available)('Redis outage', () => {
  it('with open: an in-process limit while Redis is down, each store error logged and counted, Redis limits resume after', async () => {
    const target = await start({ RATE_LIMIT_ON_STORE_ERROR: 'open' });
    expect(await statuses(target, 3)).toEqual([200, 200, 200]);

    await redis?.kill();
    // Orders need their store: a clear 503, never a hang or a 500.
    const order = await request(target).post('/api/orders').send({ itemId: '1', quantity: 1 });
    expect(order.status).toBe(503);
    // Not connected, so the order surely was not saved: store_unavailable, not order_outcome_unknown.
    expect(order.body.error).toBe('store_unavailable');
    // The insurance limiter counts from zero in this process (the order was its first): 9 more pass, then 429.
    expect(await statuses(target, 11)).toEqual([...Array(9).fill(200), 429, 429]);
    expect(storeErrors().length).toBeGreaterThanOrEqual(24);
    expect(storeErrors()[0]).toMatchObject({ level: 'error', policy: 'open' });
    expect(
      await metric(target, /^rate_limit_store_errors_total\{window="minute"\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(12);
    const notReady = await request(target).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.redis).toBe('down');

    // Same port, empty Redis (scripts gone): no restart of the app.
    await redis?.start();
    await current?.mockApi.waitForRedis(10_000);
    expect((await request(target).get('/readyz')).status).toBe(200);
    expect(await statuses(target, 10)).toEqual(Array(10).fill(200));
    expect(await statuses(target, 1)).toEqual([429]);
  });

  it('with closed: requests get 503 JSON while Redis is down and pass again when it returns', async () => {
    const target = await start({ RATE_LIMIT_ON_STORE_ERROR: 'closed' });
    expect(await statuses(target, 1)).toEqual([200]);
    await redis?.kill();
    const refused = await request(target).get('/api/items');
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      error: 'rate_limit_unavailable',
      message: expect.any(String),
      requestId: refused.headers['x-request-id'],
    });
    expect(storeErrors()[0]).toMatchObject({ policy: 'closed' });

    await redis?.start();
    await current?.mockApi.waitForRedis(10_000);
    expect(await statuses(target, 2)).toEqual([200, 200]);
  });

  it('does not wait on a Redis that accepts connections but never answers: the command times out', async () => {
    const target = await start({ RATE_LIMIT_ON_STORE_ERROR: 'open', REDIS_COMMAND_TIMEOUT_MS: '100' });
    expect(await statuses(target, 1)).toEqual([200]);
    redis?.pause();
    // Without the command timeout this request would wait for as long as Redis stays frozen.
    expect(await statuses(target, 1)).toEqual([200]);
    const [firstError] = storeErrors();
    expect(firstError?.err).toMatchObject({ type: 'RateLimitStoreError' });
    expect(JSON.stringify(firstError?.err)).toMatch(/no answer within 100 ms/);
    // One command counts both windows: the request waited one timeout, reported once per window.
    expect(storeErrors().map((line) => line.window)).toEqual(['minute', 'hour']);
    expect(JSON.stringify(storeErrors()[1]?.err)).toMatch(/EVALSHA got no answer within 100 ms/);
    redis?.resume();
    expect(await statuses(target, 1)).toEqual([200]);
  });

  it('starts while Redis is down, reports not ready, and limits once Redis comes up', async () => {
    const target = await start({ RATE_LIMIT_ON_STORE_ERROR: 'open' }, false);
    const notReady = await request(target).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'not_ready', checks: { redis: 'down', shuttingDown: false } });
    expect(await statuses(target, 2)).toEqual([200, 200]);

    await redis?.start();
    await current?.mockApi.waitForRedis(10_000);
    expect((await request(target).get('/readyz')).status).toBe(200);
    expect(await statuses(target, 10)).toEqual(Array(10).fill(200));
    const limited = await request(target).get('/api/items');
    expect(limited.status).toBe(429);
    expect(limited.headers.ratelimit).toMatch(/"per-minute"; r=0;/);
  });
});
