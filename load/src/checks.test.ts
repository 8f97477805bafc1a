import { describe, expect, it } from 'vitest';
import { request } from '../test/helpers/records.js';
import { type CheckInput, evaluateInvariant, evaluateThreshold } from './checks.js';
import type { RequestRecord } from './request-log.js';
import { is2xx } from './traffic-stats.js';

function input(byPhase: Record<string, RequestRecord[]>): CheckInput {
  return { byPhase: new Map(Object.entries(byPhase)), all: Object.values(byPhase).flat(), isSuccess: is2xx };
}

const sample = input({
  warm: [request({ ms: 5 }), request({ ms: 7 })],
  open: [
    request({ ms: 3, status: 503, retryAfter: '3' }),
    request({ ms: 4, status: 200, xCache: 'stale' }),
    request({ ms: 90, status: 503 }),
  ],
});

describe('evaluateThreshold', () => {
  it('passes and fails on one phase', () => {
    expect(evaluateThreshold({ phase: 'warm', metric: 'p95', op: '<', value: 10 }, sample)).toMatchObject({
      kind: 'phase',
      passed: true,
      actual: '7 ms',
      expected: '< 10 ms',
    });
    expect(evaluateThreshold({ phase: 'open', metric: 'p95', op: '<', value: 20 }, sample)).toMatchObject({
      passed: false,
      actual: '90 ms',
    });
  });

  it('evaluates success over several phases or the whole run', () => {
    expect(
      evaluateThreshold({ phase: '*', metric: 'successRate', op: '>=', value: 0.6 }, sample),
    ).toMatchObject({
      passed: true,
      actual: '60.0 %',
    });
    expect(
      evaluateThreshold({ phase: ['warm', 'open'], metric: 'successRate', op: '>=', value: 0.99 }, sample)
        .passed,
    ).toBe(false);
  });

  it('filters by status and endpoint', () => {
    expect(
      evaluateThreshold({ phase: '*', metric: 'max', op: '<', value: 10, statuses: [200] }, sample).passed,
    ).toBe(true);
    expect(
      evaluateThreshold({ phase: '*', metric: 'p95', op: '<', value: 10, endpoints: ['other'] }, sample),
    ).toMatchObject({
      passed: false,
      actual: 'no matching requests',
    });
  });

  it('with answeredInPhase, leaves out requests answered after the phase ended, and keeps unanswered ones', () => {
    const straddling: CheckInput = {
      ...input({
        healthy: [
          request({ t: 1_000, ms: 5, status: 200 }),
          request({ t: 3_990, ms: 10, status: 200 }),
          request({ t: 3_995, ms: 115, status: 502 }),
        ],
        outage: [request({ t: 4_100, ms: 2, status: 503 })],
      }),
      phaseEnds: new Map([
        ['healthy', 4_000],
        ['outage', 9_000],
      ]),
    };
    const threshold = { phase: 'healthy', metric: 'successRate', op: '>=', value: 0.999 } as const;
    expect(evaluateThreshold(threshold, straddling)).toMatchObject({ passed: false, actual: '66.7 %' });
    expect(evaluateThreshold({ ...threshold, answeredInPhase: true }, straddling)).toMatchObject({
      name: 'success [healthy; answered in the phase]',
      passed: true,
      actual: '100.0 %',
    });
    const unanswered: CheckInput = {
      ...straddling,
      byPhase: new Map([['healthy', [request({ t: 3_000, ms: null, status: null })]]]),
    };
    expect(evaluateThreshold({ ...threshold, answeredInPhase: true }, unanswered)).toMatchObject({
      passed: false,
      actual: '0.0 %',
    });
  });

  it('fails when the phase never ran', () => {
    expect(
      evaluateThreshold({ phase: 'recovered', metric: 'p95', op: '<', value: 20 }, sample),
    ).toMatchObject({
      passed: false,
      actual: 'phase did not run',
    });
  });
});

describe('evaluateInvariant', () => {
  const missingRetryAfter = (r: RequestRecord) => r.status === 503 && r.retryAfter === undefined;

  it('counts violations in the phases it applies to', () => {
    const result = evaluateInvariant(
      { name: 'every 503 carries Retry-After', violates: missingRetryAfter },
      sample,
    );
    expect(result).toMatchObject({ kind: 'invariant', passed: false });
    expect(result.actual).toMatch(/^1 of 5/);
    expect(
      evaluateInvariant({ name: 'x', phases: ['warm'], violates: missingRetryAfter }, sample).passed,
    ).toBe(true);
  });

  it('fails when nothing was checked', () => {
    expect(evaluateInvariant({ name: 'x', phases: ['missing'], violates: () => false }, sample).passed).toBe(
      false,
    );
  });
});
