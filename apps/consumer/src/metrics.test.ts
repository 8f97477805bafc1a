import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { checkMetrics, promtoolAvailable } from '../test/helpers/promtool.js';
import { createConsumerMetrics } from './metrics.js';

async function sampleValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const sample = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value),
  );
  return sample?.value;
}

describe('createConsumerMetrics', () => {
  it('registers on the given registry, not the global one', () => {
    const registry = new Registry();
    const metrics = createConsumerMetrics({ registry });
    expect(metrics.registry).toBe(registry);
    expect(registry.getSingleMetric('upstream_requests_total')).toBeDefined();
    expect(createConsumerMetrics().registry).not.toBe(registry);
  });

  it('counts attempts and observes their duration in seconds', async () => {
    const { registry, observeUpstreamAttempt } = createConsumerMetrics();
    observeUpstreamAttempt('http://up:1', 'success', 250);
    observeUpstreamAttempt('http://up:1', 'success', 50);
    observeUpstreamAttempt('http://up:1', 'http_5xx', 5);
    expect(await sampleValue(registry, 'upstream_requests_total', { outcome: 'success' })).toBe(2);
    expect(await sampleValue(registry, 'upstream_requests_total', { outcome: 'http_5xx' })).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(
      'upstream_request_duration_seconds_sum{upstream="http://up:1",outcome="success"} 0.3',
    );
  });

  it('maps breaker states to 0, 1, 2 and counts transitions in lower case', async () => {
    const metrics = createConsumerMetrics();
    const upstream = 'http://up:1';
    metrics.breakerState(upstream, 'CLOSED');
    expect(await sampleValue(metrics.registry, 'circuit_breaker_state', { upstream })).toBe(0);
    metrics.breakerTransition(upstream, 'CLOSED', 'OPEN');
    expect(await sampleValue(metrics.registry, 'circuit_breaker_state', { upstream })).toBe(2);
    metrics.breakerTransition(upstream, 'OPEN', 'HALF_OPEN');
    expect(await sampleValue(metrics.registry, 'circuit_breaker_state', { upstream })).toBe(1);
    expect(
      await sampleValue(metrics.registry, 'circuit_breaker_transitions_total', {
        from: 'closed',
        to: 'open',
      }),
    ).toBe(1);
    expect(
      await sampleValue(metrics.registry, 'circuit_breaker_transitions_total', {
        from: 'open',
        to: 'half_open',
      }),
    ).toBe(1);
  });

  it('counts retries, suppressed retries and stale responses', async () => {
    const metrics = createConsumerMetrics();
    metrics.retried('u', '503');
    metrics.retried('u', '503');
    metrics.retrySuppressed('u', 'budget');
    metrics.staleServed('/catalog');
    expect(await sampleValue(metrics.registry, 'upstream_retries_total', { reason: '503' })).toBe(2);
    expect(
      await sampleValue(metrics.registry, 'upstream_retries_suppressed_total', { reason: 'budget' }),
    ).toBe(1);
    expect(await sampleValue(metrics.registry, 'stale_responses_total', { route: '/catalog' })).toBe(1);
  });

  it('shows breaker state as one series per state, 1 for the current one', async () => {
    const metrics = createConsumerMetrics();
    const upstream = 'http://up:1';
    const inState = (state: string) =>
      sampleValue(metrics.registry, 'circuit_breaker_in_state', { upstream, state });
    metrics.breakerState(upstream, 'CLOSED');
    expect([await inState('closed'), await inState('half_open'), await inState('open')]).toEqual([1, 0, 0]);
    metrics.breakerTransition(upstream, 'CLOSED', 'OPEN');
    expect([await inState('closed'), await inState('half_open'), await inState('open')]).toEqual([0, 0, 1]);
    metrics.breakerTransition(upstream, 'OPEN', 'HALF_OPEN');
    expect([await inState('closed'), await inState('half_open'), await inState('open')]).toEqual([0, 1, 0]);
  });

  it('creates every known counter series at 0 when an upstream is first named', async () => {
    const metrics = createConsumerMetrics();
    // Before any upstream: only the stale routes exist.
    expect(await sampleValue(metrics.registry, 'stale_responses_total', { route: '/catalog' })).toBe(0);
    expect(await sampleValue(metrics.registry, 'stale_responses_total', { route: '/catalog/:id' })).toBe(0);
    expect(await sampleValue(metrics.registry, 'upstream_requests_total', {})).toBeUndefined();
    metrics.breakerState('http://up:1', 'CLOSED');
    const upstream = 'http://up:1';
    for (const outcome of [
      'success',
      'http_5xx',
      'timeout',
      'network_error',
      'response_too_large',
      'circuit_open',
      'rate_limited',
    ]) {
      expect(await sampleValue(metrics.registry, 'upstream_requests_total', { upstream, outcome })).toBe(0);
    }
    for (const reason of ['budget', 'deadline', 'non_idempotent']) {
      expect(
        await sampleValue(metrics.registry, 'upstream_retries_suppressed_total', { upstream, reason }),
      ).toBe(0);
    }
    expect(await sampleValue(metrics.registry, 'upstream_retries_total', { upstream, reason: '503' })).toBe(
      0,
    );
    expect(
      await sampleValue(metrics.registry, 'circuit_breaker_transitions_total', {
        upstream,
        from: 'closed',
        to: 'open',
      }),
    ).toBe(0);
    expect(
      await sampleValue(metrics.registry, 'circuit_breaker_in_state', { upstream, state: 'closed' }),
    ).toBe(1);
    // A later event counts from 0 and keeps what it counted.
    metrics.retried(upstream, '503');
    metrics.breakerState(upstream, 'CLOSED');
    expect(await sampleValue(metrics.registry, 'upstream_retries_total', { upstream, reason: '503' })).toBe(
      1,
    );
  });

  it('starts the stale series of the routes it is given', async () => {
    const metrics = createConsumerMetrics({ staleRoutes: ['/a'] });
    expect(await sampleValue(metrics.registry, 'stale_responses_total', { route: '/a' })).toBe(0);
    expect(
      await sampleValue(metrics.registry, 'stale_responses_total', { route: '/catalog' }),
    ).toBeUndefined();
  });

  it('passes promtool check metrics', async (context) => {
    if (!promtoolAvailable()) {
      context.skip();
      return;
    }
    const metrics = createConsumerMetrics();
    metrics.observeUpstreamAttempt('http://up:1', 'success', 3);
    metrics.retried('http://up:1', '503');
    metrics.retrySuppressed('http://up:1', 'deadline');
    metrics.breakerTransition('http://up:1', 'CLOSED', 'OPEN');
    metrics.staleServed('/catalog/:id');
    const result = checkMetrics(await metrics.registry.metrics());
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
