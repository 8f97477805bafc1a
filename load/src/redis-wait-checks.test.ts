import { describe, expect, it } from 'vitest';
import type { ServedRequest } from './mock-api-log.js';
import { verifyHistogramTail, verifyRedisWaitBound, verifyStoreErrors } from './redis-wait-checks.js';

function served(overrides: Partial<ServedRequest> = {}): ServedRequest {
  return {
    requestId: 'req-1',
    method: 'GET',
    path: '/api/items',
    status: 200,
    responseTimeMs: 10,
    aborted: false,
    injectedLatencyMs: 0,
    ...overrides,
  };
}

describe('verifyRedisWaitBound', () => {
  it('passes at the bound, counting a request time less its injected latency', () => {
    const result = verifyRedisWaitBound(
      [
        served({ responseTimeMs: 1500, requestId: 'req-slowest' }),
        served({ responseTimeMs: 1690, injectedLatencyMs: 200 }),
      ],
      1500,
    );
    expect(result.passed).toBe(true);
    expect(result.actual).toBe('max 1500.0 ms (GET /api/items 200, req-slowest) over 2 requests, 0 aborted');
  });

  it('fails when one request took longer than the bound plus its injected latency', () => {
    const result = verifyRedisWaitBound(
      [served(), served({ responseTimeMs: 1710.5, injectedLatencyMs: 200, requestId: 'req-9' })],
      1500,
    );
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('max 1510.5 ms');
    expect(result.actual).toContain('req-9, 200 ms injected on top');
  });

  it('fails on an aborted request, whose wait after the client left is unknown', () => {
    const result = verifyRedisWaitBound([served(), served({ responseTimeMs: 1000, aborted: true })], 1500);
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('over 1 requests, 1 aborted');
  });

  it('ignores requests outside /api and fails when there is none', () => {
    const result = verifyRedisWaitBound([served({ path: '/metrics', responseTimeMs: 9000 })], 1500);
    expect(result).toMatchObject({ passed: false, actual: 'no /api requests in the log' });
  });
});

describe('verifyHistogramTail', () => {
  it('passes with nothing above the bucket and a log line per counted request', () => {
    const results = verifyHistogramTail({ count: 1303, le: 2.5, above: 0 }, 1303);
    expect(results.map((result) => result.passed)).toEqual([true, true]);
  });

  it('fails on one request above the bucket, and on a log that misses requests', () => {
    const [slow, logged] = verifyHistogramTail({ count: 1303, le: 2.5, above: 1 }, 1302);
    expect(slow).toMatchObject({ passed: false, actual: '1 of 1303' });
    expect(logged).toMatchObject({ passed: false, actual: '1302' });
  });

  it('fails when the histogram counted nothing', () => {
    expect(verifyHistogramTail({ count: 0, le: 2.5, above: 0 }, 0).every((result) => !result.passed)).toBe(
      true,
    );
  });
});

describe('verifyStoreErrors', () => {
  const counts = { rateLimitStoreErrors: 0, insured: 0, orderStoreFailures: 0, apiRequests: 1000 };

  it('passes at the ceiling, counting both stores', () => {
    const result = verifyStoreErrors(
      { ...counts, rateLimitStoreErrors: 6, insured: 6, orderStoreFailures: 4 },
      0.01,
    );
    expect(result.passed).toBe(true);
    expect(result.expected).toBe('<= 1.0 % of /api requests (<= 10 of 1000)');
    expect(result.actual).toBe(
      '10 (1.00 %): 6 rate-limit (6 counted by the insurance limiter), 4 order store',
    );
  });

  it('fails one error above the ceiling, whichever store it came from', () => {
    expect(verifyStoreErrors({ ...counts, rateLimitStoreErrors: 11 }, 0.01).passed).toBe(false);
    expect(
      verifyStoreErrors({ ...counts, rateLimitStoreErrors: 10, orderStoreFailures: 1 }, 0.01).passed,
    ).toBe(false);
  });

  it('fails without requests (nothing was measured)', () => {
    expect(verifyStoreErrors({ ...counts, apiRequests: 0 }, 0.01).passed).toBe(false);
  });
});
