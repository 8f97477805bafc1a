import { describe, expect, it } from 'vitest';
import { request } from '../test/helpers/records.js';
import { parsePrometheusText } from './prometheus-text.js';
import { armOf, hedgesSentCheck, latencyTail, upstreamCount, upstreamRatioCheck } from './tail-stats.js';

describe('armOf', () => {
  it('reads the arm from the request name', () => {
    expect(armOf(request({ name: 'no-hedge-catalog' }))).toBe('no-hedge');
    expect(armOf(request({ name: 'hedged-checkout' }))).toBe('hedged');
    expect(armOf(request({ name: 'catalog' }))).toBeUndefined();
    expect(armOf(request({ name: 'hedgedcatalog' }))).toBeUndefined();
  });
});

describe('latencyTail', () => {
  it('gives the share of values strictly above each distinct value, the slowest left out', () => {
    expect(latencyTail([3, 1, 2, 2, 300])).toEqual([
      { ms: 1, slower: 0.8 },
      { ms: 2, slower: 0.4 },
      { ms: 3, slower: 0.2 },
    ]);
  });

  it('shows a 2 % tail as a plateau at 0.02 up to the slow latency', () => {
    const values = [...Array.from({ length: 98 }, (_, index) => 1 + (index % 7)), 300, 301];
    const points = latencyTail(values);
    expect(points.at(-2)).toEqual({ ms: 7, slower: 0.02 });
    expect(points.at(-1)).toEqual({ ms: 300, slower: 0.01 });
  });

  it('is empty for no values or one', () => {
    expect(latencyTail([])).toEqual([]);
    expect(latencyTail([5])).toEqual([]);
  });
});

const metrics = (get: number, post: number, closed: number, delayed: number) =>
  parsePrometheusText(
    [
      '# TYPE http_requests_total counter',
      `http_requests_total{method="GET",route="/api/items",status="200"} ${get}`,
      `http_requests_total{method="GET",route="/api/items/:id",status="499"} ${closed}`,
      `http_requests_total{method="POST",route="/api/orders",status="201"} ${post}`,
      'http_requests_total{method="GET",route="/metrics",status="200"} 40',
      `faults_injected_total{kind="latency"} ${delayed}`,
      'faults_injected_total{kind="error"} 9',
    ].join('\n'),
  );

describe('upstreamCount', () => {
  it('counts /api requests between two snapshots, by method, with the cancelled and the delayed', () => {
    const count = upstreamCount(metrics(300, 150, 0, 0), metrics(700, 350, 12, 15));
    expect(count).toEqual({
      requests: 400 + 200 + 12,
      byMethod: { GET: 412, POST: 200 },
      clientClosed: 12,
      delayed: 15,
    });
  });

  it('counts a series that first appears after the first snapshot in full', () => {
    const before = parsePrometheusText('http_requests_total{method="GET",route="/api/items",status="200"} 5');
    expect(upstreamCount(before, metrics(5, 3, 2, 1)).requests).toBe(5);
  });
});

describe('upstreamRatioCheck', () => {
  const count = { requests: 1060, byMethod: { GET: 727, POST: 333 }, clientClosed: 60, delayed: 30 };

  it('passes at exactly the bound and fails above it', () => {
    expect(upstreamRatioCheck('hedged', count, 1000, 1.06).passed).toBe(true);
    expect(upstreamRatioCheck('hedged', { ...count, requests: 1061 }, 1000, 1.06).passed).toBe(false);
  });

  it('says what was counted', () => {
    expect(upstreamRatioCheck('hedged', count, 1000, 1.06).actual).toBe(
      '1.0600: 1060 upstream (GET 727, POST 333; 60 closed by the client, 30 delayed) for 1000 consumer requests',
    );
  });

  it('fails without consumer requests', () => {
    expect(upstreamRatioCheck('no-hedge', count, 0, 1.06)).toMatchObject({
      passed: false,
      actual: 'no consumer requests',
    });
  });
});

describe('hedgesSentCheck', () => {
  const count = { requests: 1030, byMethod: {}, clientClosed: 25, delayed: 30 };

  it('passes when mock-api saw more requests than the consumer got, some closed by the client', () => {
    expect(hedgesSentCheck(count, 1000).passed).toBe(true);
  });

  it('fails for a consumer that did not hedge (one upstream request each, none cancelled)', () => {
    expect(hedgesSentCheck({ ...count, requests: 1000, clientClosed: 0 }, 1000).passed).toBe(false);
    expect(hedgesSentCheck({ ...count, clientClosed: 0 }, 1000).passed).toBe(false);
  });
});
