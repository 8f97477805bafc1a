import { describe, expect, it } from 'vitest';
import { firstBucketBound, histogramTail, parsePrometheusText, sumSamples } from './prometheus-text.js';

/** A slice of mock-api's /metrics: two /api series of the duration histogram, one /__admin series. */
const METRICS = `# HELP http_requests_total HTTP requests answered, by method, route template and status code.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/items",status="200"} 40
http_requests_total{method="GET",route="/api/items",status="503"} 0
http_requests_total{method="POST",route="/api/orders",status="201"} 7
http_requests_total{method="PUT",route="/__admin/faults",status="200"} 1
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="1",method="GET",route="/api/items",status="200"} 38
http_request_duration_seconds_bucket{le="2.5",method="GET",route="/api/items",status="200"} 39
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/items",status="200"} 40
http_request_duration_seconds_sum{method="GET",route="/api/items",status="200"} 12.5
http_request_duration_seconds_count{method="GET",route="/api/items",status="200"} 40
http_request_duration_seconds_bucket{le="1",method="POST",route="/api/orders",status="201"} 7
http_request_duration_seconds_bucket{le="2.5",method="POST",route="/api/orders",status="201"} 7
http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/orders",status="201"} 7
http_request_duration_seconds_count{method="POST",route="/api/orders",status="201"} 7
http_request_duration_seconds_bucket{le="1",method="PUT",route="/__admin/faults",status="200"} 0
http_request_duration_seconds_bucket{le="2.5",method="PUT",route="/__admin/faults",status="200"} 0
http_request_duration_seconds_bucket{le="+Inf",method="PUT",route="/__admin/faults",status="200"} 1
http_request_duration_seconds_count{method="PUT",route="/__admin/faults",status="200"} 1
rate_limit_store_errors_total{window="minute"} 2
rate_limit_store_errors_total{window="hour"} 1
`;

const isApi = (labels: Readonly<Record<string, string>>) => labels.route?.startsWith('/api') === true;

describe('parsePrometheusText', () => {
  it('reads names, labels and values, skipping comments', () => {
    const samples = parsePrometheusText(METRICS);
    expect(samples).toHaveLength(19);
    expect(samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'GET', route: '/api/items', status: '200' },
      value: 40,
    });
    expect(samples.find((sample) => sample.labels.le === '+Inf')?.value).toBe(40);
  });

  it('reads NaN and Inf in any case (prom-client writes an unset gauge as Nan), and still refuses words', () => {
    const values = parsePrometheusText('a Nan\nb NaN\nc +inf\nd -Inf\ne Inf').map((sample) => sample.value);
    expect(values.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(values.slice(2)).toEqual([Infinity, -Infinity, Infinity]);
    expect(() => parsePrometheusText('f banana')).toThrow('not a Prometheus sample: f banana');
  });

  it('unescapes label values and accepts a timestamp and +Inf', () => {
    expect(parsePrometheusText('m{a="say \\"hi\\"\\\\"} +Inf 1700000000000')).toEqual([
      { name: 'm', labels: { a: 'say "hi"\\' }, value: Number.POSITIVE_INFINITY },
    ]);
  });

  it('throws a TypeError naming a line that is not a sample', () => {
    expect(() => parsePrometheusText('http_requests_total{method="GET"} forty')).toThrow(
      /not a Prometheus sample: http_requests_total/,
    );
  });
});

describe('sumSamples', () => {
  it('sums one metric over the series the filter accepts, 0 when absent', () => {
    const samples = parsePrometheusText(METRICS);
    expect(sumSamples(samples, 'http_requests_total', isApi)).toBe(47);
    expect(sumSamples(samples, 'http_requests_total')).toBe(48);
    expect(sumSamples(samples, 'rate_limit_store_errors_total')).toBe(3);
    expect(sumSamples(samples, 'rate_limit_insurance_total')).toBe(0);
  });
});

describe('histogramTail and firstBucketBound', () => {
  it('counts observations above a bucket bound over the accepted series', () => {
    const samples = parsePrometheusText(METRICS);
    expect(histogramTail(samples, 'http_request_duration_seconds', 2.5, isApi)).toEqual({
      count: 47,
      le: 2.5,
      above: 1,
    });
    expect(histogramTail(samples, 'http_request_duration_seconds', 1, isApi).above).toBe(2);
    expect(histogramTail(samples, 'http_request_duration_seconds', 2.5).above).toBe(2);
  });

  it('throws when a series has no bucket at the bound', () => {
    expect(() =>
      histogramTail(parsePrometheusText(METRICS), 'http_request_duration_seconds', 1.5, isApi),
    ).toThrow(/no bucket le="1.5"/);
  });

  it('picks the smallest finite bucket bound at or above a value', () => {
    const samples = parsePrometheusText(METRICS);
    expect(firstBucketBound(samples, 'http_request_duration_seconds', 1.7)).toBe(2.5);
    expect(firstBucketBound(samples, 'http_request_duration_seconds', 1)).toBe(1);
    expect(firstBucketBound(samples, 'http_request_duration_seconds', 3)).toBeUndefined();
    expect(firstBucketBound(samples, 'missing', 0)).toBeUndefined();
  });
});
