import { describe, expect, it } from 'vitest';
import { request } from '../test/helpers/records.js';
import { bucketWidthMs, buildTimeline } from './timeline.js';
import { is2xx } from './traffic-stats.js';

describe('buildTimeline', () => {
  it('gives percentiles and error rate per bucket of start time', () => {
    // 429 counts as a success here (as in the rate-limit scenarios), and is shown as its own share.
    const points = buildTimeline(
      [
        request({ t: 1_000, ms: 4 }),
        request({ t: 1_500, ms: 8, status: 503 }),
        request({ t: 3_200, ms: 2, status: 429 }),
      ],
      1_000,
      (r) => is2xx(r) || r.status === 429,
      1_000,
    );
    expect(points).toEqual([
      { t: 0, requests: 2, p50: 4, p95: 8, p99: 8, errorRate: 0.5, limitedRate: 0 },
      {
        t: 1,
        requests: 0,
        p50: undefined,
        p95: undefined,
        p99: undefined,
        errorRate: undefined,
        limitedRate: undefined,
      },
      { t: 2, requests: 1, p50: 2, p95: 2, p99: 2, errorRate: 0, limitedRate: 1 },
    ]);
  });

  it('widens buckets for long runs', () => {
    expect(bucketWidthMs(60_000)).toBe(1_000);
    expect(bucketWidthMs(600_000)).toBe(5_000);
  });
});
