import { describe, expect, it } from 'vitest';
import type { ArtilleryPeriod } from './artillery-process.js';
import { ensureValues, metricValue } from './ensure-values.js';
import { artilleryChecks } from './process-checks.js';

const period: ArtilleryPeriod = {
  counters: { 'http.requests': 2000, 'vusers.failed': 0, 'http.codes.200': 1990 },
  summaries: {
    'http.response_time': { p50: 3, p95: 12.125, p99: 40 },
    'http.response_time.2xx': { count: 1997 },
    'plugins.metrics-by-endpoint.response_time.catalog-item': { p95: 9 },
  },
};

describe('metricValue', () => {
  it('reads counters and summary statistics, and nothing for a metric never recorded', () => {
    expect(metricValue(period, 'http.requests')).toBe(2000);
    expect(metricValue(period, 'http.response_time.p95')).toBe(12.125);
    expect(metricValue(period, 'http.response_time.2xx.count')).toBe(1997);
    expect(metricValue(period, 'plugins.metrics-by-endpoint.response_time.catalog-item.p95')).toBe(9);
    expect(metricValue(period, 'http.codes.500')).toBeUndefined();
    expect(metricValue(period, 'http.response_time.nope')).toBeUndefined();
  });
});

describe('ensureValues', () => {
  it('shows the threshold and the measured value of a threshold check', () => {
    expect(ensureValues('http.response_time.p95 < 50', period)).toEqual({
      expected: '< 50',
      actual: '12.13',
    });
    expect(ensureValues('vusers.failed == 0', period)).toEqual({ expected: '== 0', actual: '0' });
  });

  it('shows a ratio with the counts it came from', () => {
    expect(ensureValues('http.response_time.2xx.count / http.requests >= 0.999', period)).toEqual({
      expected: '>= 0.999',
      actual: '0.9985 (http.response_time.2xx.count=1997, http.requests=2000)',
    });
    expect(ensureValues('(http.codes.200 + 10) / http.requests > 0.5', period)?.actual).toBe(
      '1 (http.codes.200=1990, http.requests=2000)',
    );
  });

  it('says which metric was never recorded', () => {
    expect(ensureValues('http.codes.500 == 0', period)).toEqual({
      expected: '== 0',
      actual: 'not recorded (http.codes.500)',
    });
  });

  it('gives up on what is not one comparison of arithmetic over metrics', () => {
    expect(ensureValues('vusers.failed == 0 and http.requests > 1', period)).toBeUndefined();
    expect(ensureValues('http.requests', period)).toBeUndefined();
    expect(ensureValues('http.requests > 1', undefined)).toBeUndefined();
  });
});

describe('artilleryChecks ensure rows', () => {
  it('carry the numbers instead of true/true, and still fall back for other expressions', () => {
    const checks = artilleryChecks(
      0,
      [
        { ok: true, expression: 'http.response_time.p95 < 50', optional: false },
        { ok: false, expression: 'http.codes.500 == 0', optional: true },
        { ok: true, expression: 'vusers.failed == 0 and http.requests > 1', optional: false },
      ],
      { aggregate: period, intermediate: [] },
    );
    expect(checks.slice(0, 3)).toEqual([
      {
        kind: 'ensure',
        name: 'http.response_time.p95 < 50',
        expected: '< 50',
        actual: '12.13',
        passed: true,
      },
      {
        kind: 'ensure',
        name: 'http.codes.500 == 0',
        expected: '== 0 (optional)',
        actual: 'not recorded (http.codes.500)',
        passed: true,
      },
      {
        kind: 'ensure',
        name: 'vusers.failed == 0 and http.requests > 1',
        expected: 'true',
        actual: 'true',
        passed: true,
      },
    ]);
  });
});
