import type { CheckResult } from './checks.js';
import { isApiRequest } from './mock-api-log.js';
import type { PrometheusSample } from './prometheus-text.js';
import type { RequestRecord } from './request-log.js';

/** The two consumers of the slow-tail scenario: one without hedging, one hedging its catalog reads. */
export const TAIL_ARMS = ['no-hedge', 'hedged'] as const;
export type TailArm = (typeof TAIL_ARMS)[number];

/** The arm a request went to, from its name (`no-hedge-catalog`, `hedged-checkout`, ...); `undefined` for others. */
export function armOf(request: Pick<RequestRecord, 'name'>): TailArm | undefined {
  return TAIL_ARMS.find((arm) => request.name.startsWith(`${arm}-`));
}

/** One step of a complementary CDF: the share of responses slower than `ms`. */
export interface TailPoint {
  readonly ms: number;
  /** Responses slower than `ms` (strictly), as a share of all, 0-1. */
  readonly slower: number;
}

/**
 * The complementary CDF of latencies: for each distinct value, the share of values above it, from the fastest
 * to the second slowest (the slowest has none above it; a log scale cannot show 0). A tail shows as a plateau:
 * with 2 % of responses at 300 ms, the curve stays at 0.02 from the fast responses' end up to 300 ms.
 */
export function latencyTail(values: readonly number[]): TailPoint[] {
  const sorted = [...values].sort((a, b) => a - b);
  const points: TailPoint[] = [];
  for (let index = 0; index < sorted.length; index += 1) {
    const value = sorted[index] as number;
    if (sorted[index + 1] === value) continue;
    const above = sorted.length - index - 1;
    if (above > 0) points.push({ ms: value, slower: above / sorted.length });
  }
  return points;
}

/** What one mock-api counted between two reads of its `/metrics`, on `/api` routes only. */
export interface UpstreamCount {
  /** Requests that arrived (answered, or closed by the client first). */
  readonly requests: number;
  readonly byMethod: Readonly<Record<string, number>>;
  /** Requests whose client closed the connection before the answer (`status="499"`): cancelled attempts. */
  readonly clientClosed: number;
  /** Requests a latency fault delayed (`faults_injected_total{kind="latency"}`). */
  readonly delayed: number;
}

function apiRequestSamples(samples: readonly PrometheusSample[]): PrometheusSample[] {
  return samples.filter(
    (sample) =>
      sample.name === 'http_requests_total' &&
      sample.labels.route !== undefined &&
      isApiRequest({ path: sample.labels.route }),
  );
}

function total(samples: readonly PrometheusSample[], keep: (sample: PrometheusSample) => boolean): number {
  return samples.reduce((sum, sample) => (keep(sample) ? sum + sample.value : sum), 0);
}

/**
 * mock-api's `/api` traffic between two snapshots of its metrics (counters only grow while it runs: the
 * difference is what happened in between). Its `http_requests_total` counts a request when its response ends or
 * its client leaves, so a cancelled attempt counts too (as status 499).
 */
export function upstreamCount(
  before: readonly PrometheusSample[],
  after: readonly PrometheusSample[],
): UpstreamCount {
  const [first, last] = [apiRequestSamples(before), apiRequestSamples(after)];
  const delta = (keep: (sample: PrometheusSample) => boolean) => total(last, keep) - total(first, keep);
  const methods = [...new Set(last.map((sample) => sample.labels.method ?? ''))].sort();
  const isLatency = (sample: PrometheusSample) =>
    sample.name === 'faults_injected_total' && sample.labels.kind === 'latency';
  return {
    requests: delta(() => true),
    byMethod: Object.fromEntries(
      methods.map((method) => [method, delta((sample) => sample.labels.method === method)]),
    ),
    clientClosed: delta((sample) => sample.labels.status === '499'),
    delayed: total(after, isLatency) - total(before, isLatency),
  };
}

function describeCount(count: UpstreamCount, consumerRequests: number): string {
  const methods = Object.entries(count.byMethod)
    .map(([method, requests]) => `${method} ${requests}`)
    .join(', ');
  return `${count.requests} upstream (${methods}; ${count.clientClosed} closed by the client, ${count.delayed} delayed) for ${consumerRequests} consumer requests`;
}

/** Upstream requests per consumer request of one arm, at most `max`. */
export function upstreamRatioCheck(
  arm: TailArm,
  count: UpstreamCount,
  consumerRequests: number,
  max: number,
): CheckResult {
  const name = `${arm}: upstream requests per consumer request (mock-api /metrics)`;
  if (consumerRequests === 0) {
    return {
      kind: 'verification',
      name,
      expected: `<= ${max}`,
      actual: 'no consumer requests',
      passed: false,
    };
  }
  const ratio = count.requests / consumerRequests;
  return {
    kind: 'verification',
    name,
    expected: `<= ${max}`,
    actual: `${ratio.toFixed(4)}: ${describeCount(count, consumerRequests)}`,
    passed: ratio <= max,
  };
}

/**
 * The hedged consumer really hedged: its mock-api saw more requests than the consumer got (each consumer request
 * makes one upstream call when nothing fails, and nothing fails here but the delay), and some of them were
 * cancelled losers. Without this, a consumer that ignores the hedging settings would only show up as a missed
 * latency threshold.
 */
export function hedgesSentCheck(count: UpstreamCount, consumerRequests: number): CheckResult {
  return {
    kind: 'verification',
    name: 'hedged: hedges were sent and losers cancelled (mock-api /metrics)',
    expected: 'upstream requests > consumer requests; >= 1 closed by the client',
    actual: `${count.requests} upstream for ${consumerRequests} consumer requests, ${count.clientClosed} closed by the client`,
    passed: count.requests > consumerRequests && count.clientClosed >= 1,
  };
}
