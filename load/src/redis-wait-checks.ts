import type { CheckResult } from './checks.js';
import { isApiRequest, type ServedRequest } from './mock-api-log.js';
import type { HistogramTail } from './prometheus-text.js';

/**
 * Every `/api` request waited on Redis at most `boundMs`. What is measured is mock-api's own time for the
 * request (its log line's `responseTimeMs`) less the latency a fault injected on purpose: the request's Redis
 * waits are part of that time, so a maximum within the bound proves the bound (its CPU work only adds to it).
 * A request whose client left first has no complete time: any such request fails the check, because its Redis
 * wait after the client left was not measured.
 */
export function verifyRedisWaitBound(requests: readonly ServedRequest[], boundMs: number): CheckResult {
  const api = requests.filter(isApiRequest);
  const complete = api.filter((request) => !request.aborted);
  const aborted = api.length - complete.length;
  let slowest: ServedRequest | undefined;
  let slowestMs = 0;
  for (const request of complete) {
    const ms = request.responseTimeMs - request.injectedLatencyMs;
    if (slowest === undefined || ms > slowestMs) {
      slowest = request;
      slowestMs = ms;
    }
  }
  const name = `mock-api: no /api request waited on Redis longer than ${boundMs} ms (its time less injected latency)`;
  const expected = `max <= ${boundMs} ms, 0 aborted`;
  if (slowest === undefined) {
    return { kind: 'verification', name, expected, actual: 'no /api requests in the log', passed: false };
  }
  const injected = slowest.injectedLatencyMs > 0 ? `, ${slowest.injectedLatencyMs} ms injected on top` : '';
  return {
    kind: 'verification',
    name,
    expected,
    actual:
      `max ${slowestMs.toFixed(1)} ms (${slowest.method} ${slowest.path} ${slowest.status}, ${slowest.requestId}${injected})` +
      ` over ${complete.length} requests, ${aborted} aborted`,
    passed: slowestMs <= boundMs && aborted === 0,
  };
}

/**
 * The same bound as Prometheus sees it: no `/api` request in mock-api's duration histogram above the bucket
 * `tail.le` (the first bucket bound at or above the Redis bound plus the injected latency), and a log line for
 * every `/api` request the histogram counted (so the per-request check above read them all).
 */
export function verifyHistogramTail(tail: HistogramTail, loggedApiRequests: number): CheckResult[] {
  return [
    {
      kind: 'verification',
      name: `mock-api /metrics: /api requests slower than ${tail.le} s (http_request_duration_seconds)`,
      expected: '0',
      actual: `${tail.above} of ${tail.count}`,
      passed: tail.count > 0 && tail.above === 0,
    },
    {
      kind: 'verification',
      name: 'mock-api log: a line for every /api request in /metrics',
      expected: `>= ${tail.count}`,
      actual: String(loggedApiRequests),
      passed: tail.count > 0 && loggedApiRequests >= tail.count,
    },
  ];
}

export interface StoreErrorCounts {
  /** `rate_limit_store_errors_total`, every window. */
  readonly rateLimitStoreErrors: number;
  /** `rate_limit_insurance_total`, every window: requests the in-process limiter counted instead. */
  readonly insured: number;
  /** Order-store commands that failed or timed out (mock-api's `order store failed` lines). */
  readonly orderStoreFailures: number;
  /** `/api` requests mock-api answered (`http_requests_total`). */
  readonly apiRequests: number;
}

/** Store errors (rate-limit and order store together) stay at or under `ceiling` (a share, 0-1) of `/api` requests. */
export function verifyStoreErrors(counts: StoreErrorCounts, ceiling: number): CheckResult {
  const errors = counts.rateLimitStoreErrors + counts.orderStoreFailures;
  const allowed = Math.floor(counts.apiRequests * ceiling);
  const share = counts.apiRequests > 0 ? (errors / counts.apiRequests) * 100 : 0;
  return {
    kind: 'verification',
    name: 'mock-api: Redis store errors (rate_limit_store_errors_total + order store failures)',
    expected: `<= ${(ceiling * 100).toFixed(1)} % of /api requests (<= ${allowed} of ${counts.apiRequests})`,
    actual:
      `${errors} (${share.toFixed(2)} %): ${counts.rateLimitStoreErrors} rate-limit` +
      ` (${counts.insured} counted by the insurance limiter), ${counts.orderStoreFailures} order store`,
    passed: counts.apiRequests > 0 && errors <= allowed,
  };
}
