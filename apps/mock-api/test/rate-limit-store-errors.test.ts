import type { Store } from 'express-rate-limit';
import { MemoryStore } from 'express-rate-limit';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type TestApp } from './helpers/build-app.js';

let current: TestApp | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** A store whose backend is "down" until the test says otherwise. */
function switchableStore(): Store & { down: boolean } {
  const inner = new MemoryStore();
  const store = {
    down: true,
    localKeys: false,
    init: (options: Parameters<MemoryStore['init']>[0]) => inner.init(options),
    async increment(key: string) {
      if (store.down) throw new Error('The client is offline');
      return inner.increment(key);
    },
    async get(key: string) {
      if (store.down) throw new Error('The client is offline');
      return inner.get(key);
    },
    decrement: (key: string) => inner.decrement(key),
    resetKey: (key: string) => inner.resetKey(key),
    shutdown: () => inner.shutdown(),
  };
  return store;
}

describe('rate-limit store failures', () => {
  it('with open, limits in process meanwhile, logs and counts each store error, and uses the store again on recovery', async () => {
    const minute = switchableStore();
    const hour = switchableStore();
    current = buildApp({ RATE_LIMIT_ON_STORE_ERROR: 'open' }, { rateLimitStores: { minute, hour } });
    const target = current.mockApi.app;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await request(target).get('/api/items')).status);
    // A failing store never means "unlimited": the insurance limiter counts with the same limits.
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    const errors = current.logs.filter((line) => line.msg.startsWith('rate-limit store failed'));
    expect(errors).toHaveLength(24);
    expect(errors[0]).toMatchObject({ level: 'error', window: 'minute', policy: 'open' });
    const metrics = (await request(target).get('/metrics')).text;
    expect(metrics).toMatch(/^rate_limit_store_errors_total\{window="minute"\} 12$/m);
    expect(metrics).toMatch(/^rate_limit_store_errors_total\{window="hour"\} 12$/m);
    expect(metrics).toMatch(/^rate_limit_insurance_total\{window="minute"\} 12$/m);
    expect(metrics).toMatch(/^rate_limit_insurance_total\{window="hour"\} 10$/m);
    expect(metrics).toMatch(/^rate_limit_rejections_total\{window="minute"\} 2$/m);

    minute.down = false;
    hour.down = false;
    for (let i = 0; i < 10; i += 1) expect((await request(target).get('/api/items')).status).toBe(200);
    expect((await request(target).get('/api/items')).status).toBe(429);
  });

  it('with closed, answers 503 JSON with Retry-After while the store fails', async () => {
    const minute = switchableStore();
    const hour = switchableStore();
    current = buildApp({ RATE_LIMIT_ON_STORE_ERROR: 'closed' }, { rateLimitStores: { minute, hour } });
    const response = await request(current.mockApi.app).get('/api/items');
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toEqual({
      error: 'rate_limit_unavailable',
      message: expect.any(String),
      requestId: response.headers['x-request-id'],
    });
    minute.down = false;
    hour.down = false;
    expect((await request(current.mockApi.app).get('/api/items')).status).toBe(200);
  });
});
