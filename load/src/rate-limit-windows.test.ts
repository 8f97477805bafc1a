import { describe, expect, it } from 'vitest';
import { request } from '../test/helpers/records.js';
import { accountWindows, parseRateLimitHeader, verifyWindows } from './rate-limit-windows.js';

describe('parseRateLimitHeader', () => {
  it('reads every draft-8 entry', () => {
    expect(parseRateLimitHeader('"per-minute"; r=0; t=37, "per-hour"; r=88; t=3537')).toEqual([
      { policy: 'per-minute', remaining: 0, resetSeconds: 37 },
      { policy: 'per-hour', remaining: 88, resetSeconds: 3537 },
    ]);
    expect(parseRateLimitHeader(undefined)).toEqual([]);
  });
});

/** `count` answers for `client` starting at `t0`, one per 100 ms, the first `allowed` 200 and the rest 429. */
function answers(client: string, t0: number, count: number, allowed: number, windowEnd: number) {
  return Array.from({ length: count }, (_, index) => {
    const t = t0 + index * 100;
    return request({
      t,
      ms: 2,
      client,
      status: index < allowed ? 200 : 429,
      rateLimit: `"per-minute"; r=${Math.max(0, allowed - index - 1)}; t=${Math.ceil((windowEnd - t - 2) / 1000)}, "per-hour"; r=50; t=3000`,
    });
  });
}

describe('accountWindows and verifyWindows', () => {
  it('accepts exactly the limit per client per window, across two windows', () => {
    const requests = [
      ...answers('10.0.0.1', 0, 15, 10, 60_000),
      ...answers('10.0.0.1', 61_000, 4, 4, 121_000),
      ...answers('10.0.0.2', 500, 12, 10, 60_500),
    ];
    const accounting = accountWindows(requests, 'per-minute');
    expect(accounting.windows.map((w) => [w.client, w.allowed, w.limited])).toEqual([
      ['10.0.0.1', 10, 5],
      ['10.0.0.1', 4, 0],
      ['10.0.0.2', 10, 2],
    ]);
    const results = verifyWindows(accounting, 10, { minClients: 2, label: 'limit' });
    expect(results.every((result) => result.passed)).toBe(true);
  });

  it('fails when a client got more than the limit in one window (two instances counting apart)', () => {
    const accounting = accountWindows(answers('10.0.0.1', 0, 25, 20, 60_000), 'per-minute');
    const results = verifyWindows(accounting, 10, { minClients: 1, label: 'shared limit' });
    const perWindow = results.find((result) => result.name === 'shared limit: 200s per client per window');
    expect(perWindow?.passed).toBe(false);
    expect(perWindow?.actual).toContain('10.0.0.1 20 of 25');
  });

  it('fails when a client got fewer 200s than the limit allows', () => {
    const accounting = accountWindows(answers('10.0.0.1', 0, 15, 8, 60_000), 'per-minute');
    expect(
      verifyWindows(accounting, 10, { minClients: 1, label: 'limit' }).some((result) => !result.passed),
    ).toBe(true);
  });

  it("in 'at-most' mode accepts fewer 200s than the limit (a store command counted twice), never more", () => {
    const fewer = accountWindows(answers('10.0.0.1', 0, 15, 9, 60_000), 'per-minute');
    const atMost = { minClients: 1, label: 'limit', mode: 'at-most' } as const;
    const perWindow = (results: ReturnType<typeof verifyWindows>) =>
      results.find((result) => result.name === 'limit: 200s per client per window');
    expect(perWindow(verifyWindows(fewer, 10, atMost))).toMatchObject({
      passed: true,
      expected: '<= 10 in each of 1 windows',
      actual: 'all windows within 10 (client:200s/requests 1:9/15)',
    });
    expect(perWindow(verifyWindows(fewer, 10, { ...atMost, mode: 'exact' }))?.passed).toBe(false);
    const more = accountWindows(answers('10.0.0.1', 0, 15, 11, 60_000), 'per-minute');
    expect(perWindow(verifyWindows(more, 10, atMost))).toMatchObject({ passed: false });
    expect(perWindow(verifyWindows(more, 10, atMost))?.actual).toContain('10.0.0.1 11 of 15');
  });

  it('counts answers without the policy entry as unassigned, which fails', () => {
    const accounting = accountWindows([request({ client: '10.0.0.1', status: 429 })], 'per-minute');
    expect(accounting.unassigned).toBe(1);
    const results = verifyWindows(accounting, 10, { minClients: 0, label: 'limit' });
    expect(results.find((result) => result.name.endsWith('responses with a RateLimit entry'))?.passed).toBe(
      false,
    );
  });
});
