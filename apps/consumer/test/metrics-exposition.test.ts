import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkMetrics, promtoolAvailable } from './helpers/promtool.js';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
} from './helpers/stack.js';

describe('GET /metrics', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeEach(async () => {
    upstream = await startMockApi();
    consumer = await startConsumer(upstream, { BREAKER_FAILURE_THRESHOLD: '2', RETRY_MAX: '1' });
  });

  afterEach(async () => {
    await consumer.close();
    await upstream.close();
  });

  /** A retry, a breaker opening, a stale answer and a 503: every consumer metric gets a sample. */
  async function troubledRun(): Promise<string> {
    await consumer.request('/catalog');
    await upstream.setFaults({ failNext: 1 });
    await consumer.request('/catalog/1');
    await upstream.setFaults({ down: true });
    await consumer.request('/catalog');
    await consumer.request('/catalog/2');
    return consumer.metrics();
  }

  it('exposes every consumer metric in the Prometheus text format', async () => {
    const text = await troubledRun();
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'upstream_requests_total',
      'upstream_request_duration_seconds',
      'upstream_retries_total',
      'upstream_retries_suppressed_total',
      'circuit_breaker_state',
      'circuit_breaker_transitions_total',
      'stale_responses_total',
      'process_cpu_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(sampleValue(text, 'circuit_breaker_state', { upstream: upstream.url })).toBe(2);
    expect(sampleValue(text, 'stale_responses_total', { route: '/catalog' })).toBe(1);
    expect(sampleValue(text, 'upstream_retries_total', { reason: '503' })).toBe(2);
    const response = await consumer.request('/metrics');
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('passes promtool check metrics', async (context) => {
    if (!promtoolAvailable()) {
      context.skip();
      return;
    }
    const result = checkMetrics(await troubledRun());
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
