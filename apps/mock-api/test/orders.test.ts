import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockApiDeps } from '../src/app.js';
import { createMemoryOrderStore } from '../src/orders/memory-order-store.js';
import type { Order, OrderStore } from '../src/orders/order-store.js';
import { buildApp, type TestApp } from './helpers/build-app.js';

// Enough budget that no test here meets the limiter.
const KEY = 'orders-test-key';
const ENV = { API_KEYS: `${KEY}:1000:10000` };
let current: TestApp | undefined;

function app(deps: MockApiDeps = {}): TestApp['mockApi']['app'] {
  current = buildApp(ENV, deps);
  return current.mockApi.app;
}

afterEach(async () => {
  await current?.close();
  current = undefined;
});

function post(target: TestApp['mockApi']['app'], body: unknown, idempotencyKey?: string) {
  const req = request(target)
    .post('/api/orders')
    .set('X-API-Key', KEY)
    .set('Content-Type', 'application/json');
  if (idempotencyKey !== undefined) req.set('Idempotency-Key', idempotencyKey);
  return req.send(JSON.stringify(body));
}

/** An order store whose `save` waits until the test lets it go: a request held in flight, without timers. */
function heldOrderStore(): { store: OrderStore; release: () => void; saving: Promise<void> } {
  const inner = createMemoryOrderStore();
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const saving = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    saving,
    release,
    store: {
      ...inner,
      async save(order: Order) {
        started();
        await gate;
        await inner.save(order);
      },
    },
  };
}

describe('items', () => {
  it('lists the same generated catalogue on every start', async () => {
    const first = await request(app()).get('/api/items').set('X-API-Key', KEY);
    await current?.close();
    const second = await request(app()).get('/api/items').set('X-API-Key', KEY);
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(36);
    expect(first.body.items).toHaveLength(36);
    expect(second.body).toEqual(first.body);
    expect(first.body.items[0]).toEqual({
      id: '1',
      name: expect.any(String),
      category: expect.any(String),
      priceCents: expect.any(Number),
      currency: 'EUR',
      stock: expect.any(Number),
    });
  });

  it('answers 304 to a request whose If-None-Match matches the ETag', async () => {
    const target = app();
    const first = await request(target).get('/api/items').set('X-API-Key', KEY);
    expect(first.headers.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    const again = await request(target)
      .get('/api/items')
      .set({ 'X-API-Key': KEY, 'If-None-Match': first.headers.etag });
    expect(again.status).toBe(304);
    const one = await request(target).get('/api/items/3').set('X-API-Key', KEY);
    expect(one.headers.etag).not.toBe(first.headers.etag);
    expect(one.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('returns one item by id and a JSON 404 for an unknown id', async () => {
    const target = app();
    const found = await request(target).get('/api/items/7').set('X-API-Key', KEY);
    expect(found.status).toBe(200);
    expect(found.body.id).toBe('7');
    const missing = await request(target).get('/api/items/nope').set('X-API-Key', KEY);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: 'item_not_found',
      message: expect.stringContaining('nope'),
      requestId: missing.headers['x-request-id'],
    });
  });
});

describe('orders', () => {
  it('creates an order (201, Location) that GET /api/orders/:id and GET /api/orders return', async () => {
    const target = app({ now: () => Date.parse('2026-03-01T12:00:00Z'), generateId: () => 'order-1' });
    const created = await post(target, { itemId: '3', quantity: 2 });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/orders/order-1');
    expect(created.body).toMatchObject({
      id: 'order-1',
      itemId: '3',
      quantity: 2,
      currency: 'EUR',
      status: 'confirmed',
      idempotencyKey: null,
      createdAt: '2026-03-01T12:00:00.000Z',
    });
    expect(created.body.totalCents).toBe(created.body.unitPriceCents * 2);

    const fetched = await request(target).get('/api/orders/order-1').set('X-API-Key', KEY);
    expect(fetched.body).toEqual(created.body);
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body).toEqual({ orders: [created.body], total: 1 });
  });

  it('accepts a numeric itemId', async () => {
    const created = await post(app(), { itemId: 5, quantity: 1 });
    expect(created.status).toBe(201);
    expect(created.body.itemId).toBe('5');
  });

  it('answers 404 JSON for an unknown order and 422 for an unknown item', async () => {
    const target = app();
    const missing = await request(target).get('/api/orders/missing').set('X-API-Key', KEY);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('order_not_found');
    const unknownItem = await post(target, { itemId: '999', quantity: 1 });
    expect(unknownItem.status).toBe(422);
    expect(unknownItem.body).toEqual({
      error: 'unknown_item',
      message: expect.any(String),
      requestId: unknownItem.headers['x-request-id'],
    });
  });

  it('lists newest first and honours ?limit', async () => {
    let n = 0;
    const target = app({ generateId: () => `o${++n}` });
    for (let i = 0; i < 3; i += 1) await post(target, { itemId: '1', quantity: 1 });
    const listed = await request(target).get('/api/orders?limit=2').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(3);
    expect(listed.body.orders.map((order: Order) => order.id)).toEqual(['o3', 'o2']);
    const bad = await request(target).get('/api/orders?limit=0').set('X-API-Key', KEY);
    expect(bad.status).toBe(400);
  });
});

describe('bad input', () => {
  const seventeenKb = JSON.stringify({ itemId: '1', quantity: 1, pad: 'x'.repeat(17 * 1024) });
  const cases: ReadonlyArray<{
    name: string;
    body: string;
    contentType?: string;
    idempotencyKey?: string;
    status: number;
    error: string;
  }> = [
    { name: 'malformed JSON', body: '{"itemId": "1", "quantity": ', status: 400, error: 'malformed_json' },
    { name: 'a 17 kB body', body: seventeenKb, status: 413, error: 'payload_too_large' },
    {
      name: 'text/plain',
      body: '{"itemId":"1","quantity":1}',
      contentType: 'text/plain',
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      name: 'form encoding',
      body: 'itemId=1&quantity=1',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
      error: 'unsupported_media_type',
    },
    { name: 'a JSON string', body: '"hello"', status: 400, error: 'malformed_json' },
    { name: 'a JSON array', body: '[1,2]', status: 400, error: 'validation_failed' },
    { name: 'missing fields', body: '{}', status: 400, error: 'validation_failed' },
    { name: 'missing quantity', body: '{"itemId":"1"}', status: 400, error: 'validation_failed' },
    {
      name: 'negative quantity',
      body: '{"itemId":"1","quantity":-1}',
      status: 400,
      error: 'validation_failed',
    },
    {
      name: 'fractional quantity',
      body: '{"itemId":"1","quantity":1.5}',
      status: 400,
      error: 'validation_failed',
    },
    {
      name: 'quantity as a string',
      body: '{"itemId":"1","quantity":"2"}',
      status: 400,
      error: 'validation_failed',
    },
    {
      name: 'a huge quantity',
      body: '{"itemId":"1","quantity":1000000}',
      status: 400,
      error: 'validation_failed',
    },
    {
      name: 'an unknown field',
      body: '{"itemId":"1","quantity":1,"price":0}',
      status: 400,
      error: 'validation_failed',
    },
    {
      name: 'an itemId with markup',
      body: '{"itemId":"<script>","quantity":1}',
      status: 400,
      error: 'validation_failed',
    },
    {
      name: 'a 256-character Idempotency-Key',
      body: '{"itemId":"1","quantity":1}',
      idempotencyKey: 'k'.repeat(256),
      status: 400,
      error: 'invalid_idempotency_key',
    },
    {
      name: 'a non-ASCII Idempotency-Key',
      body: '{"itemId":"1","quantity":1}',
      idempotencyKey: 'clé-\u00e9',
      status: 400,
      error: 'invalid_idempotency_key',
    },
    {
      name: 'a tab in the Idempotency-Key',
      body: '{"itemId":"1","quantity":1}',
      idempotencyKey: 'a\tb',
      status: 400,
      error: 'invalid_idempotency_key',
    },
  ];

  it.each(cases)('answers $name with $status and a JSON error body', async (testCase) => {
    const target = app();
    const req = request(target)
      .post('/api/orders')
      .set('X-API-Key', KEY)
      .set('Content-Type', testCase.contentType ?? 'application/json');
    if (testCase.idempotencyKey !== undefined) req.set('Idempotency-Key', testCase.idempotencyKey);
    const response = await req.send(testCase.body);
    expect(response.status).toBe(testCase.status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({
      error: testCase.error,
      message: expect.any(String),
      requestId: response.headers['x-request-id'],
    });
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(0);
  });

  it('lists every problem of an invalid order', async () => {
    const response = await post(app(), { quantity: 0, extra: true });
    expect(response.body.problems).toEqual(
      expect.arrayContaining([
        { field: 'extra', problem: 'is not a known field' },
        { field: 'itemId', problem: 'is required' },
        { field: 'quantity', problem: expect.stringContaining('1 to 100') },
      ]),
    );
  });

  it('answers a request without a body or content type with 415 JSON', async () => {
    const response = await request(app()).post('/api/orders').set('X-API-Key', KEY);
    expect(response.status).toBe(415);
    expect(response.body.error).toBe('unsupported_media_type');
  });

  it('answers unknown routes with 404 JSON, never HTML', async () => {
    const response = await request(app()).get('/nowhere');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      error: 'not_found',
      message: expect.any(String),
      requestId: response.headers['x-request-id'],
    });
  });
});

describe('idempotency', () => {
  it('replays the original answer for the same key and body, creating one order', async () => {
    const target = app();
    const first = await post(target, { itemId: '2', quantity: 1 }, 'checkout-42');
    const second = await post(target, { quantity: 1, itemId: '2' }, 'checkout-42');
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.body).toEqual(first.body);
    expect(first.body.idempotencyKey).toBe('checkout-42');
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(1);
    const metrics = await request(target).get('/metrics');
    expect(metrics.text).toMatch(/^orders_created_total 1$/m);
    expect(metrics.text).toMatch(/^idempotent_replays_total 1$/m);
  });

  it('answers 422 when the key comes back with a different body', async () => {
    const target = app();
    await post(target, { itemId: '2', quantity: 1 }, 'checkout-43');
    const reused = await post(target, { itemId: '2', quantity: 3 }, 'checkout-43');
    expect(reused.status).toBe(422);
    expect(reused.body.error).toBe('idempotency_key_reused');
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(1);
  });

  it('answers 409 while the first request with the key is still in flight, then replays', async () => {
    const held = heldOrderStore();
    const target = app({ orderStore: held.store });
    const first = post(target, { itemId: '2', quantity: 1 }, 'checkout-44').then((r) => r);
    await held.saving;
    const concurrent = await post(target, { itemId: '2', quantity: 1 }, 'checkout-44');
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.error).toBe('idempotency_in_flight');
    expect(concurrent.headers['retry-after']).toBe('1');
    held.release();
    expect((await first).status).toBe(201);
    const after = await post(target, { itemId: '2', quantity: 1 }, 'checkout-44');
    expect(after.status).toBe(201);
    expect(after.headers['idempotent-replayed']).toBe('true');
  });

  it('replays a 422 for an unknown item too, with this request id', async () => {
    const target = app();
    const first = await post(target, { itemId: '999', quantity: 1 }, 'checkout-45');
    const second = await post(target, { itemId: '999', quantity: 1 }, 'checkout-45');
    expect(second.status).toBe(422);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.requestId).toBe(second.headers['x-request-id']);
    expect(second.body.requestId).not.toBe(first.body.requestId);
  });

  it('keeps keys of different API keys apart', async () => {
    current = buildApp({ API_KEYS: `${KEY}:1000:10000,second-key-9:1000:10000` });
    const target = current.mockApi.app;
    const body = JSON.stringify({ itemId: '1', quantity: 1 });
    const a = await request(target)
      .post('/api/orders')
      .set({ 'X-API-Key': KEY, 'Content-Type': 'application/json', 'Idempotency-Key': 'same' })
      .send(body);
    const b = await request(target)
      .post('/api/orders')
      .set({ 'X-API-Key': 'second-key-9', 'Content-Type': 'application/json', 'Idempotency-Key': 'same' })
      .send(body);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('lets a retry run again when the first attempt failed in the store', async () => {
    const inner = createMemoryOrderStore();
    let failures = 1;
    const flaky: OrderStore = {
      ...inner,
      async save(order) {
        if (failures > 0) {
          failures -= 1;
          throw new Error('disk on fire');
        }
        await inner.save(order);
      },
    };
    const target = app({ orderStore: flaky });
    const failed = await post(target, { itemId: '1', quantity: 1 }, 'checkout-46');
    expect(failed.status).toBe(500);
    expect(failed.body.error).toBe('internal_error');
    const retried = await post(target, { itemId: '1', quantity: 1 }, 'checkout-46');
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });
});
