import { describe, expect, it } from 'vitest';
import { request } from '../test/helpers/records.js';
import { percentile, summarizeTraffic } from './traffic-stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe('summarizeTraffic', () => {
  it('counts statuses, errors and successes, and measures only responses', () => {
    const stats = summarizeTraffic([
      request({ ms: 10 }),
      request({ ms: 30, status: 201 }),
      request({ ms: 20, status: 503 }),
      request({ ms: null, status: null, error: 'ETIMEDOUT', elapsedMs: 10_000 }),
    ]);
    expect(stats.requests).toBe(4);
    expect(stats.successes).toBe(2);
    expect(stats.successRate).toBe(0.5);
    expect(stats.statusCounts).toEqual({ '200': 1, '201': 1, '503': 1 });
    expect(stats.errorCounts).toEqual({ ETIMEDOUT: 1 });
    expect(stats.latency).toEqual({ count: 3, p50: 20, p95: 30, p99: 30, max: 30 });
    expect(stats.longestErrorWaitMs).toBe(10_000);
  });

  it('uses the scenario success rule', () => {
    const stats = summarizeTraffic(
      [request(), request({ status: 429 })],
      (r) => r.status === 200 || r.status === 429,
    );
    expect(stats.successRate).toBe(1);
  });
});
