import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from './helpers/log-sink.js';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
  TEST_API_KEY,
} from './helpers/stack.js';

const WINDOW_MS = 60_000;
const START = Date.parse('2026-01-01T00:00:00Z');

/** Lets pending I/O run, one event-loop turn at a time (real setImmediate), until `ready` holds. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 2_000; turn += 1) {
    if (ready()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('upstream 429 with a Retry-After that fits the deadline', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeEach(async () => {
    // Date and the timers are fake before either app exists: mock-api's rate-limit window (express-rate-limit's
    // MemoryStore reads Date.now), its Retry-After and the client's wait before the retry all run on this clock.
    // Nothing moves unless the test advances it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(START);
    // One request a minute for the consumer's key: the second request of a window is refused with 429.
    upstream = await startMockApi({ API_KEYS: `${TEST_API_KEY}:1:100` });
    consumer = await startConsumer(upstream, { REQUEST_DEADLINE_MS: '20000', RETRY_BASE_MS: '0' });
  });

  afterEach(async () => {
    vi.useRealTimers();
    await consumer.close();
    await upstream.close();
  });

  it('waits exactly the Retry-After mock-api sent, then retries once: the user sees 200 after 2 attempts', async () => {
    // Opens the key's minute window at START.
    expect((await consumer.request('/catalog')).status).toBe(200);
    expect(upstream.hits).toHaveLength(1);

    // 1 s before the window resets: mock-api refuses the next request with Retry-After: 1.
    vi.advanceTimersByTime(WINDOW_MS - 1_000);
    const id = 'req-rate-limited-1';
    let answered = false;
    const pending = consumer.request('/catalog/3', { headers: { 'x-request-id': id } }).then((response) => {
      answered = true;
      return response;
    });

    const isRetryLine = (line: LogLine): boolean => line.msg === 'retrying outbound call';
    await until(() => consumer.logs.forRequest(id).some(isRetryLine), 'the retry log line');
    const retry = consumer.logs.forRequest(id).find(isRetryLine);
    expect(retry).toMatchObject({ reason: '429', retryAfterMs: 1_000, delayMs: 1_000, attempt: 1 });
    const refusal = upstream.logs.forRequest(id).find((line) => line.msg === 'request completed');
    expect(refusal).toMatchObject({ status: 429 });
    expect(upstream.hits).toHaveLength(2);

    // The retry waits for the whole Retry-After: nothing is sent 1 ms before it ends.
    vi.advanceTimersByTime(999);
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(upstream.hits).toHaveLength(2);
    expect(answered).toBe(false);

    // The window resets as the wait ends: the second attempt is accepted.
    vi.advanceTimersByTime(1);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe(id);
    expect(response.headers['x-cache']).toBe('miss');
    expect(response.body).toMatchObject({ id: '3' });

    // mock-api saw exactly 2 attempts for this request, both with its id.
    const attempts = upstream.hits.slice(1);
    expect(attempts.map((hit) => hit.path)).toEqual(['/api/items/3', '/api/items/3']);
    expect(attempts.map((hit) => hit.headers['x-request-id'])).toEqual([id, id]);

    const text = await consumer.metrics();
    expect(sampleValue(text, 'upstream_retries_total', { upstream: upstream.url, reason: '429' })).toBe(1);
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'rate_limited' })).toBe(1);
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'success' })).toBe(2);
    expect(sampleValue(text, 'upstream_retries_suppressed_total')).toBe(0);
    expect(sampleValue(text, 'http_requests_total', { route: '/catalog/:id', status: '200' })).toBe(1);
  });
});
