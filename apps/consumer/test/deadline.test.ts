import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestResponse } from './helpers/http.js';
import { createManualClock, type ManualClock } from './helpers/manual-clock.js';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
} from './helpers/stack.js';

const DEADLINE_MS = 20_000;

/** Lets pending I/O callbacks run (a few turns of the event loop) without any timer. */
async function settleIo(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('an upstream that hangs never holds a consumer request past REQUEST_DEADLINE_MS', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;
  let clock: ManualClock;

  beforeEach(async () => {
    upstream = await startMockApi();
    // The consumer's deadline runs on this clock: the test moves time, nothing sleeps. The client's own attempt
    // timeout (15 s) and deadline run on real timers and cannot fire during the test.
    clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'));
    consumer = await startConsumer(upstream, { REQUEST_DEADLINE_MS: String(DEADLINE_MS) }, { clock });
  });

  afterEach(async () => {
    await consumer.close();
    await upstream.close();
  });

  async function requestUntilDeadline(
    path: string,
    id: string,
  ): Promise<{ response: TestResponse; elapsedMs: number }> {
    const startedAt = clock.now();
    let answered = false;
    const pending = consumer.request(path, { headers: { 'x-request-id': id } }).then((response) => {
      answered = true;
      return response;
    });
    await upstream.waitForHits(1);
    clock.advance(DEADLINE_MS - 1);
    await settleIo();
    expect(answered).toBe(false);
    clock.advance(1);
    const response = await pending;
    return { response, elapsedMs: clock.now() - startedAt };
  }

  it('answers 503 deadline_exceeded at the deadline, aborting the held upstream request', async () => {
    await upstream.setFaults({ hangRate: 1 });
    const { response, elapsedMs } = await requestUntilDeadline('/catalog/5', 'req-deadline-1');
    expect(elapsedMs).toBe(DEADLINE_MS);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.body).toMatchObject({ reason: 'deadline_exceeded', requestId: 'req-deadline-1' });
    expect(upstream.hits).toHaveLength(1);

    // The held upstream request was cancelled, not left running: mock-api saw its client go away.
    await settleIo();
    expect(upstream.logs.forRequest('req-deadline-1').some((line) => line.msg === 'request aborted')).toBe(
      true,
    );

    const text = await consumer.metrics();
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'cancelled' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { route: '/catalog/:id', status: '503' })).toBe(1);
  });

  it('serves the stale copy at the deadline when one is cached', async () => {
    expect((await consumer.request('/catalog')).status).toBe(200);
    clock.advance(42_000);
    await upstream.setFaults({ hangRate: 1 });
    upstream.hits.length = 0;
    const { response, elapsedMs } = await requestUntilDeadline('/catalog', 'req-deadline-2');
    expect(elapsedMs).toBe(DEADLINE_MS);
    expect(response.status).toBe(200);
    expect(response.headers['x-cache']).toBe('stale');
    expect(response.headers.age).toBe(String(42 + DEADLINE_MS / 1000));
    expect(response.headers['x-stale-reason']).toBe('deadline_exceeded');

    const text = await consumer.metrics();
    expect(sampleValue(text, 'stale_responses_total', { route: '/catalog' })).toBe(1);
  });

  it('checkout answers 502 deadline_exceeded with its idempotency key', async () => {
    await upstream.setFaults({ hangRate: 1 });
    const startedAt = clock.now();
    const pending = consumer.request('/checkout', {
      method: 'POST',
      headers: { 'idempotency-key': 'deadline-order-1' },
      body: { itemId: '2', quantity: 1 },
    });
    await upstream.waitForHits(1);
    clock.advance(DEADLINE_MS);
    const response = await pending;
    expect(clock.now() - startedAt).toBe(DEADLINE_MS);
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ reason: 'deadline_exceeded', idempotencyKey: 'deadline-order-1' });
  });
});

describe('upstream 429 that cannot be honoured within the deadline', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeEach(async () => {
    // One request a minute for the consumer's key: the second gets 429 with Retry-After of up to 60 s, which
    // does not fit in a 20 s deadline.
    upstream = await startMockApi({ API_KEYS: 'consumer-test-key:1:100' });
    consumer = await startConsumer(upstream, { REQUEST_DEADLINE_MS: '20000' });
  });

  afterEach(async () => {
    await consumer.close();
    await upstream.close();
  });

  it('is answered 503 with Retry-After (never 500), or from the stale cache', async () => {
    expect((await consumer.request('/catalog')).status).toBe(200);

    const limited = await consumer.request('/catalog/1');
    expect(limited.status).toBe(503);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(20);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({ reason: 'upstream_rate_limited', retryAfterSeconds: retryAfter });
    // Given up at once: one attempt, no retry that would only be refused again.
    expect(upstream.hits).toHaveLength(2);

    const stale = await consumer.request('/catalog');
    expect(stale.status).toBe(200);
    expect(stale.headers['x-cache']).toBe('stale');

    const text = await consumer.metrics();
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'rate_limited' })).toBe(2);
    expect(sampleValue(text, 'upstream_retries_suppressed_total', { reason: 'deadline' })).toBe(2);
    expect(sampleValue(text, 'http_requests_total', { status: '500' })).toBe(0);
  });
});
