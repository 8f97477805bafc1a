import { describe, expect, it } from 'vitest';
import { buildAlertTimeline, describeAlertLabels, type MatrixSeries } from './alert-timeline.js';

const breaker = {
  __name__: 'ALERTS',
  alertname: 'CircuitBreakerOpen',
  instance: '127.0.0.1:4003',
  job: 'consumer',
  severity: 'critical',
  upstream: 'http://127.0.0.1:4001',
};

/** Samples at these seconds (value "1", as Prometheus writes ALERTS). */
function series(metric: Record<string, string>, seconds: readonly number[]): MatrixSeries {
  return { metric, values: seconds.map((s) => [s, '1'] as const) };
}

describe('buildAlertTimeline', () => {
  it('turns consecutive evaluations into one stretch that ends at the next evaluation', () => {
    const timeline = buildAlertTimeline(
      [series({ ...breaker, alertstate: 'firing' }, [100.5, 101.5, 102.5, 103.5])],
      [],
      1000,
    );
    expect(timeline).toEqual([
      {
        alert: 'CircuitBreakerOpen',
        labels: {
          instance: '127.0.0.1:4003',
          job: 'consumer',
          severity: 'critical',
          upstream: 'http://127.0.0.1:4001',
        },
        state: 'firing',
        from: 100_500,
        lastSeen: 103_500,
        until: 104_500,
      },
    ]);
  });

  it('splits a series at a missing evaluation (resolved, then firing again)', () => {
    const timeline = buildAlertTimeline(
      [series({ ...breaker, alertstate: 'firing' }, [10, 11, 13, 14])],
      [],
      1000,
    );
    expect(timeline.map(({ from, lastSeen, until }) => [from, lastSeen, until])).toEqual([
      [10_000, 11_000, 12_000],
      [13_000, 14_000, 15_000],
    ]);
  });

  it('keeps a gap of up to 1.5 evaluation intervals in one stretch (a late evaluation)', () => {
    const timeline = buildAlertTimeline(
      [series({ ...breaker, alertstate: 'firing' }, [10, 11.5, 13])],
      [],
      1000,
    );
    expect(timeline.map(({ from, until }) => [from, until])).toEqual([[10_000, 14_000]]);
  });

  it('leaves the end open when /api/v1/alerts still lists the alert in that state', () => {
    const { __name__: _, ...labels } = breaker;
    const timeline = buildAlertTimeline(
      [
        series({ ...breaker, alertstate: 'pending' }, [20, 21]),
        series({ ...breaker, alertstate: 'firing' }, [22, 23, 24]),
      ],
      [{ labels, state: 'firing', activeAt: '1970-01-01T00:00:20Z' }],
      1000,
    );
    expect(timeline.map(({ state, from, until }) => [state, from, until])).toEqual([
      ['pending', 20_000, 22_000],
      ['firing', 22_000, undefined],
    ]);
  });

  it('sorts by start, then name, and ignores series that are not alerts', () => {
    const timeline = buildAlertTimeline(
      [
        series({ alertname: 'UpstreamRetriesHigh', alertstate: 'firing', job: 'consumer' }, [5]),
        series({ alertname: 'HttpServerErrorsHigh', alertstate: 'firing', job: 'consumer' }, [5]),
        series({ alertname: 'ServiceDown', alertstate: 'firing', job: 'mock-api' }, [3]),
        series({ alertstate: 'firing' }, [1]),
        series({ alertname: 'Odd', alertstate: 'inactive' }, [1]),
        { metric: { alertname: 'Zero', alertstate: 'firing' }, values: [[1, '0']] },
      ],
      [],
      1000,
    );
    expect(timeline.map((interval) => [interval.alert, interval.from])).toEqual([
      ['ServiceDown', 3000],
      ['HttpServerErrorsHigh', 5000],
      ['UpstreamRetriesHigh', 5000],
    ]);
  });
});

describe('describeAlertLabels', () => {
  it('lists the labels but severity, sorted', () => {
    expect(describeAlertLabels({ upstream: 'u', severity: 'critical', job: 'consumer', instance: 'i' })).toBe(
      'instance=i, job=consumer, upstream=u',
    );
  });
});
