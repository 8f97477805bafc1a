import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
} from './helpers/stack.js';

describe('consumer healthy path (real mock-api behind the real client)', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeEach(async () => {
    upstream = await startMockApi();
    consumer = await startConsumer(upstream);
  });

  afterEach(async () => {
    await consumer.close();
    await upstream.close();
  });

  it('GET /catalog answers the upstream item list with X-Cache: miss and sends the API key', async () => {
    const direct = await upstream.orders(); // warms nothing, proves the probe is not a hit
    expect(direct).toEqual([]);
    const response = await consumer.request('/catalog');
    expect(response.status).toBe(200);
    expect(response.headers['x-cache']).toBe('miss');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.stringify(response.body)).toContain('"id":"1"');
    expect(upstream.hits).toHaveLength(1);
    expect(upstream.hits[0]).toMatchObject({ method: 'GET', path: '/api/items' });
    expect(upstream.hits[0]?.headers['x-api-key']).toBe('consumer-test-key');
  });

  it('GET /catalog/:id answers one item', async () => {
    const response = await consumer.request('/catalog/7');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: '7' });
    expect(upstream.hits.map((h) => h.path)).toEqual(['/api/items/7']);
  });

  it('GET /catalog/:id passes an upstream 404 through as 404 JSON, without retrying', async () => {
    const response = await consumer.request('/catalog/999', {
      headers: { 'x-request-id': 'req-missing-item' },
    });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'not_found', requestId: 'req-missing-item' });
    expect(upstream.hits).toHaveLength(1);
  });

  it('GET /catalog/:id refuses an id that is not an item id without calling the upstream', async () => {
    const response = await consumer.request('/catalog/bad%20id');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_id' });
    expect(upstream.hits).toHaveLength(0);
  });

  it('POST /checkout creates one order with a generated Idempotency-Key', async () => {
    const response = await consumer.request('/checkout', {
      method: 'POST',
      body: { itemId: '3', quantity: 2 },
    });
    expect(response.status).toBe(201);
    const key = response.headers['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body).toMatchObject({ itemId: '3', quantity: 2, idempotencyKey: key });
    expect(upstream.hits[0]?.headers['idempotency-key']).toBe(key);
    const orders = await upstream.orders();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ itemId: '3', quantity: 2, idempotencyKey: key });
  });

  it('POST /checkout keeps the caller Idempotency-Key: a repeated checkout replays the same order', async () => {
    const init = {
      method: 'POST',
      headers: { 'idempotency-key': 'order-2024-0001' },
      body: { itemId: 5, quantity: 1 },
    };
    const first = await consumer.request('/checkout', init);
    const second = await consumer.request('/checkout', init);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect((second.body as { id: string }).id).toBe((first.body as { id: string }).id);
    expect(upstream.hits.map((h) => h.headers['idempotency-key'])).toEqual([
      'order-2024-0001',
      'order-2024-0001',
    ]);
    expect(await upstream.orders()).toHaveLength(1);
  });

  it('GET /healthz and GET /readyz report the upstream breaker CLOSED', async () => {
    expect((await consumer.request('/healthz')).status).toBe(200);
    const ready = await consumer.request('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      degraded: false,
      upstreams: [{ key: upstream.url, state: 'CLOSED', consecutiveFailures: 0, msUntilHalfOpen: null }],
    });
  });

  it('answers unknown routes with 404 JSON', async () => {
    const response = await consumer.request('/nope');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'not_found' });
  });

  it('counts inbound requests and upstream attempts in /metrics', async () => {
    await consumer.request('/catalog');
    await consumer.request('/catalog/1');
    const text = await consumer.metrics();
    expect(sampleValue(text, 'http_requests_total', { route: '/catalog', status: '200' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { route: '/catalog/:id', status: '200' })).toBe(1);
    expect(sampleValue(text, 'upstream_requests_total', { upstream: upstream.url, outcome: 'success' })).toBe(
      2,
    );
    expect(sampleValue(text, 'upstream_request_duration_seconds_count', { outcome: 'success' })).toBe(2);
    expect(sampleValue(text, 'circuit_breaker_state', { upstream: upstream.url })).toBe(0);
  });
});
