import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type TestApp } from './helpers/build-app.js';
import { deleteKeys, REDIS_URL, redisAvailable, uniquePrefix } from './helpers/redis.js';

const available = await redisAvailable();
const apps: TestApp[] = [];
let prefix = '';

async function twoInstances(env: Record<string, string>): Promise<[TestApp, TestApp]> {
  prefix = uniquePrefix('shared');
  // Limits and orders are under test here, not timeouts: a busy machine (or a busy shared Redis) may take far
  // longer than the default command timeout to answer, which would turn ordinary replies into store errors.
  const settings = { REDIS_URL, REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '10000', ...env };
  const a = buildApp(settings);
  const b = buildApp(settings);
  apps.push(a, b);
  await Promise.all([a.mockApi.waitForRedis(), b.mockApi.waitForRedis()]);
  return [a, b];
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  if (prefix !== '') await deleteKeys(prefix);
  prefix = '';
});

describe.skipIf(!available)('two instances sharing one Redis', () => {
  it('enforce one per-minute limit together: 10 spread over both pass, the 11th is refused by either', async () => {
    const [a, b] = await twoInstances({});
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const target = i % 2 === 0 ? a : b;
      statuses.push((await request(target.mockApi.app).get('/api/items')).status);
    }
    expect(statuses).toEqual(Array(10).fill(200));
    const fromA = await request(a.mockApi.app).get('/api/items');
    const fromB = await request(b.mockApi.app).get('/api/items');
    expect([fromA.status, fromB.status]).toEqual([429, 429]);
    expect(fromB.body.window).toBe('minute');
    expect(fromB.headers.ratelimit).toMatch(/"per-minute"; r=0; t=\d+, "per-hour"; r=90;/);
  });

  it('enforce one hourly limit together', async () => {
    const [a, b] = await twoInstances({ RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_PER_HOUR: '6' });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      statuses.push((await request((i % 2 === 0 ? a : b).mockApi.app).get('/api/items')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('keep API-key tiers apart from IP budgets, across instances', async () => {
    const [a, b] = await twoInstances({ API_KEYS: 'shared-tier-key:3:100' });
    const withKey = (target: TestApp) =>
      request(target.mockApi.app).get('/api/items').set('X-API-Key', 'shared-tier-key');
    expect([(await withKey(a)).status, (await withKey(b)).status, (await withKey(a)).status]).toEqual([
      200, 200, 200,
    ]);
    expect((await withKey(b)).status).toBe(429);
    expect((await request(b.mockApi.app).get('/api/items')).status).toBe(200);
  });

  it('create one order for two POSTs with one Idempotency-Key, one to each instance', async () => {
    const [a, b] = await twoInstances({ API_KEYS: 'orders-tier-key:100:1000' });
    const post = (target: TestApp, key: string) =>
      request(target.mockApi.app)
        .post('/api/orders')
        .set({ 'X-API-Key': 'orders-tier-key', 'Idempotency-Key': key })
        .send({ itemId: '8', quantity: 2 });

    const first = await post(a, 'two-instances-1');
    const second = await post(b, 'two-instances-1');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);

    // At the same moment: one script runs first and creates, the other finds its order and replays it.
    const [x, y] = await Promise.all([post(a, 'two-instances-2'), post(b, 'two-instances-2')]);
    const fresh = [x, y].filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(fresh).toHaveLength(1);
    const other = x === fresh[0] ? y : x;
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBe('true');
    expect(other.body).toEqual(fresh[0]?.body);

    const listedOnB = await request(b.mockApi.app).get('/api/orders').set('X-API-Key', 'orders-tier-key');
    expect(listedOnB.body.total).toBe(2);
    const ids = listedOnB.body.orders.map((order: { id: string }) => order.id);
    expect(ids).toContain(first.body.id);
    expect(ids).toContain(fresh[0]?.body.id);
  });

  it('answer 422 on either instance when a key comes back with a different body', async () => {
    const [a, b] = await twoInstances({ API_KEYS: 'orders-tier-key:100:1000' });
    const post = (target: TestApp, quantity: number) =>
      request(target.mockApi.app)
        .post('/api/orders')
        .set({ 'X-API-Key': 'orders-tier-key', 'Idempotency-Key': 'reused-key' })
        .send({ itemId: '8', quantity });
    expect((await post(a, 1)).status).toBe(201);
    const reused = await post(b, 2);
    expect(reused.status).toBe(422);
    expect(reused.body.error).toBe('idempotency_key_reused');
  });

  it('serve an order created on one instance from the other, and report ready', async () => {
    const [a, b] = await twoInstances({ API_KEYS: 'orders-tier-key:100:1000' });
    const created = await request(a.mockApi.app)
      .post('/api/orders')
      .set('X-API-Key', 'orders-tier-key')
      .send({ itemId: '1', quantity: 1 });
    const fetched = await request(b.mockApi.app)
      .get(`/api/orders/${created.body.id}`)
      .set('X-API-Key', 'orders-tier-key');
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    const ready = await request(b.mockApi.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.redis).toBe('up');
  });
});
