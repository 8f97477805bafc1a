import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
} from './helpers/stack.js';

describe('POST /checkout under trouble', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeEach(async () => {
    upstream = await startMockApi();
    // A retry budget big enough for a burst of lost answers (the default floor is 10 retries per window).
    consumer = await startConsumer(upstream, { RETRY_MAX: '3' });
  });

  afterEach(async () => {
    await consumer.close();
    await upstream.close();
  });

  it('creates exactly one order per checkout when answers are lost after the order was created', async () => {
    // "Order created but the answer was lost": the handler runs, then the connection is destroyed.
    await upstream.setFaults({ when: 'after', resetRate: 0.5, seed: 7, routes: ['POST /api/orders'] });
    const checkouts = [];
    for (let i = 1; i <= 6; i += 1) {
      const response = await consumer.request('/checkout', {
        method: 'POST',
        body: { itemId: String(i), quantity: i },
      });
      const key = String(response.headers['idempotency-key']);
      checkouts.push({ i, key, response });
    }

    const orders = await upstream.orders();
    const attemptsByKey = new Map<string, number>();
    for (const hit of upstream.hits) {
      const key = String(hit.headers['idempotency-key']);
      attemptsByKey.set(key, (attemptsByKey.get(key) ?? 0) + 1);
    }
    // The scenario really lost answers and retried: some checkout needed more than one attempt.
    expect(Math.max(...attemptsByKey.values())).toBeGreaterThan(1);
    expect(upstream.hits.length).toBeGreaterThan(checkouts.length);

    for (const { i, key, response } of checkouts) {
      // Every attempt of a checkout carried the same key, and exactly one order exists for it.
      expect(orders.filter((order) => order.idempotencyKey === key)).toHaveLength(1);
      expect(orders.find((order) => order.idempotencyKey === key)).toMatchObject({
        itemId: String(i),
        quantity: i,
      });
      if (response.status === 201) {
        expect(response.body).toMatchObject({ idempotencyKey: key, itemId: String(i) });
      } else {
        // Every attempt lost its answer: 502 with the key, so the caller can retry safely.
        expect(response.status).toBe(502);
        expect(response.body).toMatchObject({ error: 'bad_gateway', idempotencyKey: key });
      }
    }
    expect(orders).toHaveLength(checkouts.length);

    const text = await consumer.metrics();
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'network_error' })).toBe(
      upstream.hits.length - checkouts.filter((c) => c.response.status === 201).length,
    );
    expect(sampleValue(text, 'upstream_retries_total', { reason: 'ECONNRESET' })).toBeGreaterThan(0);
  });

  it('a 502 checkout retried by the caller with its key replays the order instead of creating another', async () => {
    await upstream.setFaults({ when: 'after', resetRate: 1, routes: ['POST /api/orders'] });
    const lost = await consumer.request('/checkout', {
      method: 'POST',
      headers: { 'idempotency-key': 'caller-key-1' },
      body: { itemId: '9', quantity: 1 },
    });
    expect(lost.status).toBe(502);
    expect(lost.body).toMatchObject({
      error: 'bad_gateway',
      reason: 'upstream_unavailable',
      idempotencyKey: 'caller-key-1',
    });
    expect(upstream.hits).toHaveLength(4);
    expect(upstream.hits.every((hit) => hit.headers['idempotency-key'] === 'caller-key-1')).toBe(true);

    await upstream.clearFaults();
    const retried = await consumer.request('/checkout', {
      method: 'POST',
      headers: { 'idempotency-key': 'caller-key-1' },
      body: { itemId: '9', quantity: 1 },
    });
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(await upstream.orders()).toHaveLength(1);
  });

  it('passes an unknown item (upstream 422) through with the idempotency key', async () => {
    const response = await consumer.request('/checkout', {
      method: 'POST',
      body: { itemId: 'nope', quantity: 1 },
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      error: 'unknown_item',
      idempotencyKey: response.headers['idempotency-key'],
    });
    expect(upstream.hits).toHaveLength(1);
  });

  it.each([
    [
      'malformed JSON',
      { body: '{"itemId":', headers: { 'content-type': 'application/json' } },
      400,
      'malformed_json',
    ],
    [
      'a wrong content type',
      { body: 'itemId=1', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body over 16 kB',
      { body: { itemId: '1', quantity: 1, pad: 'x'.repeat(17_000) } },
      413,
      'payload_too_large',
    ],
    ['a missing quantity', { body: { itemId: '1' } }, 400, 'validation_failed'],
    ['a negative quantity', { body: { itemId: '1', quantity: -2 } }, 400, 'validation_failed'],
    ['a quantity over 100', { body: { itemId: '1', quantity: 101 } }, 400, 'validation_failed'],
    ['a hostile item id', { body: { itemId: '../../admin', quantity: 1 } }, 400, 'validation_failed'],
    ['a JSON array', { body: [{ itemId: '1', quantity: 1 }] }, 400, 'validation_failed'],
    ['an empty body without a content type', {}, 415, 'unsupported_media_type'],
    [
      'an empty JSON body',
      { body: '', headers: { 'content-type': 'application/json' } },
      400,
      'validation_failed',
    ],
    [
      'a hostile Idempotency-Key',
      { body: { itemId: '1', quantity: 1 }, headers: { 'idempotency-key': 'x'.repeat(300) } },
      400,
      'invalid_idempotency_key',
    ],
  ])('refuses %s with a JSON error and never calls mock-api', async (_name, init, status, error) => {
    const response = await consumer.request('/checkout', { method: 'POST', ...init });
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({ error, requestId: response.headers['x-request-id'] });
    expect(upstream.hits).toHaveLength(0);
    expect(upstream.connections()).toBe(0);
  });
});
