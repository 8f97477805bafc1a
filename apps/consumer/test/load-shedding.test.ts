import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
} from './helpers/stack.js';

describe('consumer inbound load shedding', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeEach(async () => {
    upstream = await startMockApi();
    consumer = await startConsumer(upstream, {
      LOAD_SHEDDING: 'fixed',
      SHED_LIMIT: '1',
      SHED_MAX_QUEUE: '1',
      SHED_MAX_QUEUE_MS: '60000',
      // Checkouts (priority high) wait for a slot by their own bound: generous, so a slow machine cannot shed them.
      SHED_PRIORITY_MAX_QUEUE_MS: '60000',
      SHED_RETRY_AFTER_SECONDS: '2',
    });
  });

  afterEach(async () => {
    await consumer.close();
    await upstream.close();
  });

  const queued = async () => sampleValue(await consumer.metrics(), 'http_concurrency_queued');

  it('sheds a queued catalog read at once with 503 + Retry-After when a checkout arrives, and serves the checkout', async () => {
    const release = upstream.hold();
    const first = consumer.request('/catalog');
    await upstream.waitForHits(1);
    const browse = consumer.request('/catalog/2', { headers: { 'x-request-id': 'req-browse' } });
    await vi.waitFor(async () => expect(await queued()).toBe(1));
    const checkout = consumer.request('/checkout', { method: 'POST', body: { itemId: '3', quantity: 1 } });

    const shed = await browse;
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('2');
    expect(shed.body).toMatchObject({
      error: 'overloaded',
      code: 'ERR_CONCURRENCY_LIMIT',
      requestId: 'req-browse',
    });
    // health, readiness and metrics are answered while the only slot is taken and the queue is full
    expect((await consumer.request('/healthz')).status).toBe(200);
    expect((await consumer.request('/readyz')).status).toBe(200);
    expect(upstream.hits).toHaveLength(1);

    release();
    expect((await first).status).toBe(200);
    expect((await checkout).status).toBe(201);
    const text = await consumer.metrics();
    expect(
      sampleValue(text, 'http_load_shedding_requests_total', { priority: 'normal', outcome: 'shed' }),
    ).toBe(1);
    expect(
      sampleValue(text, 'http_load_shedding_requests_total', { priority: 'high', outcome: 'admitted' }),
    ).toBe(1);
    expect(sampleValue(text, 'http_concurrency_limit')).toBe(1);
  });

  it('refuses a catalog read over a full queue of checkouts', async () => {
    const release = upstream.hold();
    const first = consumer.request('/checkout', { method: 'POST', body: { itemId: '3', quantity: 1 } });
    await upstream.waitForHits(1);
    const second = consumer.request('/checkout', { method: 'POST', body: { itemId: '4', quantity: 1 } });
    await vi.waitFor(async () => expect(await queued()).toBe(1));
    expect((await consumer.request('/catalog')).status).toBe(503);
    release();
    expect((await first).status).toBe(201);
    expect((await second).status).toBe(201);
  });
});
