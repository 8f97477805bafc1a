import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createManualClock, type ManualClock } from './helpers/manual-clock.js';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
} from './helpers/stack.js';

const RESET_MS = 60_000;

describe('upstream down: the breaker opens and the consumer answers without the network', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;
  let clock: ManualClock;

  /** Moves the breaker's fake timers and the consumer's clock (cache ages) together. */
  function advance(ms: number): void {
    vi.advanceTimersByTime(ms);
    clock.advance(ms);
  }

  beforeEach(async () => {
    // The breaker's reset timer and the clock are fake, so "after 60 s" takes no time. Time also moves with the
    // real clock (shouldAdvanceTime), so the 0 ms backoff waits between retries still fire by themselves. The
    // consumer's own clock (cache ages, deadlines) moves only when the test says.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
    clock = createManualClock(Date.now());
    upstream = await startMockApi();
    consumer = await startConsumer(
      upstream,
      { RETRY_MAX: '3', BREAKER_FAILURE_THRESHOLD: '5', BREAKER_RESET_MS: String(RESET_MS) },
      { clock },
    );
  });

  afterEach(async () => {
    vi.useRealTimers();
    await consumer.close();
    await upstream.close();
  });

  async function breaker(): Promise<{
    state: string;
    consecutiveFailures: number;
    msUntilHalfOpen: number | null;
  }> {
    const ready = await consumer.request('/readyz');
    expect(ready.status).toBe(200);
    const body = ready.body as {
      upstreams: { state: string; consecutiveFailures: number; msUntilHalfOpen: number | null }[];
    };
    const [only] = body.upstreams;
    if (only === undefined) throw new Error('no upstream in /readyz');
    return only;
  }

  it('opens after exactly 5 failed attempts, then serves stale or 503 without touching mock-api, then recovers', async () => {
    // A good answer to remember.
    const fresh = await consumer.request('/catalog');
    expect(fresh.status).toBe(200);
    expect(upstream.hits).toHaveLength(1);

    await upstream.setFaults({ down: true });

    // First failing request: 4 attempts (1 + RETRY_MAX), all 503; 4 failures in a row, so still CLOSED.
    const first = await consumer.request('/catalog');
    expect(upstream.hits).toHaveLength(5);
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('stale');
    expect(first.headers.age).toBe('0');
    expect(first.body).toEqual(fresh.body);
    expect(await breaker()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 4 });

    // Second failing request: its first attempt is the 5th failure in a row: the breaker opens and the call gives up
    // at once, without a backoff. That request did reach mock-api, so its answer names the upstream's failure, with the
    // breaker's time until its trial as Retry-After.
    const second = await consumer.request('/catalog/2');
    expect(upstream.hits).toHaveLength(6);
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe(String(RESET_MS / 1000));
    expect(second.body).toMatchObject({
      error: 'service_unavailable',
      reason: 'upstream_unavailable',
      retryAfterSeconds: RESET_MS / 1000,
    });
    const open = await breaker();
    expect(open.state).toBe('OPEN');
    expect(open.msUntilHalfOpen).toBeGreaterThan(0);
    expect(open.msUntilHalfOpen).toBeLessThanOrEqual(RESET_MS);
    expect((await consumer.request('/readyz')).body).toMatchObject({ status: 'ready', degraded: true });

    // While OPEN nothing reaches mock-api: no request, not even a connection.
    const hitsWhileOpen = upstream.hits.length;
    const connectionsWhileOpen = upstream.connections();
    const stale = await consumer.request('/catalog');
    expect(stale.status).toBe(200);
    expect(stale.headers['x-cache']).toBe('stale');
    advance(3_000);
    const older = await consumer.request('/catalog');
    expect(older.headers.age).toBe('3');
    const uncached = await consumer.request('/catalog/3');
    expect(uncached.status).toBe(503);
    expect(uncached.body).toMatchObject({ reason: 'circuit_open' });
    expect(Number(uncached.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(uncached.headers['retry-after'])).toBeLessThanOrEqual(RESET_MS / 1000 - 3);
    const checkout = await consumer.request('/checkout', {
      method: 'POST',
      body: { itemId: '1', quantity: 1 },
    });
    expect(checkout.status).toBe(503);
    expect(checkout.body).toMatchObject({
      reason: 'circuit_open',
      idempotencyKey: checkout.headers['idempotency-key'],
    });
    expect(checkout.headers['retry-after']).toBeDefined();
    expect(upstream.hits).toHaveLength(hitsWhileOpen);
    expect(upstream.connections()).toBe(connectionsWhileOpen);

    let text = await consumer.metrics();
    expect(sampleValue(text, 'circuit_breaker_state', { upstream: upstream.url })).toBe(2);
    expect(sampleValue(text, 'circuit_breaker_transitions_total', { from: 'closed', to: 'open' })).toBe(1);
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'http_5xx' })).toBe(5);
    // Refused without a request: the 4 calls made while OPEN (the call whose attempt opened the breaker made no
    // further attempt to be refused).
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'circuit_open' })).toBe(4);
    expect(sampleValue(text, 'stale_responses_total', { route: '/catalog' })).toBe(3);
    expect(sampleValue(text, 'http_requests_total', { route: '/catalog/:id', status: '503' })).toBe(2);

    // Upstream healthy again; after the reset time exactly one trial reaches mock-api and closes the breaker.
    await upstream.clearFaults();
    advance(RESET_MS);
    expect(await breaker()).toMatchObject({ state: 'HALF_OPEN' });
    const trial = await consumer.request('/catalog/3');
    expect(trial.status).toBe(200);
    expect(trial.headers['x-cache']).toBe('miss');
    expect(upstream.hits).toHaveLength(hitsWhileOpen + 1);
    expect(await breaker()).toEqual({
      key: upstream.url,
      state: 'CLOSED',
      consecutiveFailures: 0,
      msUntilHalfOpen: null,
    });
    expect((await consumer.request('/readyz')).body).toMatchObject({ degraded: false });

    text = await consumer.metrics();
    expect(sampleValue(text, 'circuit_breaker_state', { upstream: upstream.url })).toBe(0);
    expect(sampleValue(text, 'circuit_breaker_transitions_total', { from: 'open', to: 'half_open' })).toBe(1);
    expect(sampleValue(text, 'circuit_breaker_transitions_total', { from: 'half_open', to: 'closed' })).toBe(
      1,
    );
  });

  it('a failed trial opens the breaker again for a new full reset time', async () => {
    await upstream.setFaults({ down: true });
    await consumer.request('/catalog/1');
    await consumer.request('/catalog/1');
    expect(upstream.hits).toHaveLength(5);
    expect(await breaker()).toMatchObject({ state: 'OPEN' });

    advance(RESET_MS);
    const trial = await consumer.request('/catalog/1');
    expect(trial.status).toBe(503);
    expect(upstream.hits).toHaveLength(6);
    const reopened = await breaker();
    expect(reopened.state).toBe('OPEN');
    // A new full reset time, not what was left of the old one (which was 0): half of it leaves any busy machine
    // room, since the fake clock also moves with real time here.
    expect(reopened.msUntilHalfOpen).toBeGreaterThan(RESET_MS / 2);
  });
});
