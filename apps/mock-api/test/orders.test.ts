import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockApiDeps } from '../src/app.js';
import { StoreUnavailableError } from '../src/errors/store-unavailable-error.js';
import { createMemoryOrderStore } from '../src/orders/memory-order-store.js';
import { orderIdForKey } from '../src/orders/order-id.js';
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

/** An order store whose `saveOnce` waits until the test lets it go: requests held in flight, without timers. */
function heldOrderStore(): {
  store: OrderStore;
  release: () => void;
  saving: (count: number) => Promise<void>;
} {
  const inner = createMemoryOrderStore();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    release,
    saving: (count) =>
      new Promise<void>((resolve) => {
        if (started >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    store: {
      ...inner,
      async saveOnce(key, fingerprint, order) {
        started += 1;
        for (const waiter of waiters) if (started >= waiter.count) waiter.resolve();
        await gate;
        return inner.saveOnce(key, fingerprint, order);
      },
    },
  };
}

/** A memory store whose next `saveOnce` calls fail as `fail` says, after (`'lost'`) or before saving. */
function failingOrderStore(failures: Array<'lost' | 'not-sent' | 'broken'>): OrderStore {
  const inner = createMemoryOrderStore();
  return {
    ...inner,
    async saveOnce(key, fingerprint, order) {
      const failure = failures.shift();
      if (failure === undefined) return inner.saveOnce(key, fingerprint, order);
      if (failure === 'broken') throw new Error('disk on fire');
      if (failure === 'lost') await inner.saveOnce(key, fingerprint, order);
      throw new StoreUnavailableError('saving the order', new Error('no answer'), {
        mayHaveRun: failure === 'lost',
      });
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

  it('makes one order of concurrent requests with one key: the first saved, the others replay it', async () => {
    const held = heldOrderStore();
    const target = app({ orderStore: held.store });
    const sent = [1, 2, 3].map(() =>
      post(target, { itemId: '2', quantity: 1 }, 'checkout-44').then((r) => r),
    );
    await held.saving(3);
    held.release();
    const answers = await Promise.all(sent);
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(1);
  });

  it('gives every attempt with one key the same order id, derived from the scoped key', async () => {
    const target = app();
    const created = await post(target, { itemId: '2', quantity: 1 }, 'checkout-47');
    const anonymous = await request(target)
      .post('/api/orders')
      .set({ 'Content-Type': 'application/json', 'Idempotency-Key': 'checkout-47' })
      .send(JSON.stringify({ itemId: '2', quantity: 1 }));
    expect(anonymous.body.id).toBe(orderIdForKey('anonymous|checkout-47'));
    expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.body.id).not.toBe(anonymous.body.id);
    expect(created.headers.location).toBe(`/api/orders/${created.body.id}`);
  });

  it('answers 422 for an unknown item on every attempt and saves nothing', async () => {
    const target = app();
    const first = await post(target, { itemId: '999', quantity: 1 }, 'checkout-45');
    const second = await post(target, { itemId: '999', quantity: 1 }, 'checkout-45');
    expect([first.status, second.status]).toEqual([422, 422]);
    expect(second.body.error).toBe('unknown_item');
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.requestId).toBe(second.headers['x-request-id']);
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(0);
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

  it('answers 503 order_outcome_unknown when a save may have run; the retry replays that very order', async () => {
    const target = app({ orderStore: failingOrderStore(['lost']) });
    const lost = await post(target, { itemId: '1', quantity: 1 }, 'checkout-46');
    expect(lost.status).toBe(503);
    expect(lost.headers['retry-after']).toBe('1');
    expect(lost.body).toMatchObject({
      error: 'order_outcome_unknown',
      message: expect.stringContaining('Retry with the same Idempotency-Key'),
      requestId: lost.headers['x-request-id'],
    });
    const retried = await post(target, { itemId: '1', quantity: 1 }, 'checkout-46');
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    const stored = await request(target).get(`/api/orders/${retried.body.id}`).set('X-API-Key', KEY);
    expect(stored.body).toEqual(retried.body);
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(1);
  });

  it('answers 503 store_unavailable when the save surely never ran; the retry creates the order', async () => {
    const target = app({ orderStore: failingOrderStore(['not-sent']) });
    const failed = await post(target, { itemId: '1', quantity: 1 }, 'checkout-48');
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(failed.body.error).toBe('store_unavailable');
    expect(failed.body.message).toContain('no order was saved');
    const retried = await post(target, { itemId: '1', quantity: 1 }, 'checkout-48');
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('warns a client without an Idempotency-Key that a retry after an unknown outcome may duplicate', async () => {
    const inner = createMemoryOrderStore();
    const target = app({
      orderStore: {
        ...inner,
        async save() {
          throw new StoreUnavailableError('saving the order', new Error('no answer'));
        },
      },
    });
    const lost = await post(target, { itemId: '1', quantity: 1 });
    expect(lost.status).toBe(503);
    expect(lost.body.error).toBe('order_outcome_unknown');
    expect(lost.body.message).toContain('may create a second order');
  });

  it('answers 500 for a store bug and lets a retry run again', async () => {
    const target = app({ orderStore: failingOrderStore(['broken']) });
    const failed = await post(target, { itemId: '1', quantity: 1 }, 'checkout-49');
    expect(failed.status).toBe(500);
    expect(failed.body.error).toBe('internal_error');
    const retried = await post(target, { itemId: '1', quantity: 1 }, 'checkout-49');
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });
});
