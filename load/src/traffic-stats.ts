import type { RequestRecord } from './request-log.js';

/** Decides whether a request counts as a success for a scenario. */
export type SuccessRule = (request: RequestRecord) => boolean;

/** Default success: any 2xx response. */
export const is2xx: SuccessRule = (request) =>
  request.status !== null && request.status >= 200 && request.status < 300;

export interface LatencySummary {
  /** Responses measured. */
  readonly count: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
}

export interface TrafficStats {
  /** Requests sent (responses + errors). */
  readonly requests: number;
  readonly successes: number;
  /** successes / requests, 0-1; `undefined` with no requests. */
  readonly successRate: number | undefined;
  /** Responses by status code. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Requests without a response, by error code. */
  readonly errorCounts: Readonly<Record<string, number>>;
  /** Time to first byte of responses, in ms. */
  readonly latency: LatencySummary;
  /** Longest wait of a request that got no response, in ms. */
  readonly longestErrorWaitMs: number | undefined;
}

/** Nearest-rank percentile of an ascending array; `undefined` when empty. */
export function percentile(sortedAscending: readonly number[], fraction: number): number | undefined {
  if (sortedAscending.length === 0) return undefined;
  const rank = Math.ceil(fraction * sortedAscending.length);
  const index = Math.min(sortedAscending.length - 1, Math.max(0, rank - 1));
  return sortedAscending[index];
}

export function summarizeLatency(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1),
  };
}

/** Counts, success rate and exact latency percentiles of a set of requests. */
export function summarizeTraffic(
  requests: readonly RequestRecord[],
  isSuccess: SuccessRule = is2xx,
): TrafficStats {
  const statusCounts: Record<string, number> = {};
  const errorCounts: Record<string, number> = {};
  const latencies: number[] = [];
  let successes = 0;
  let longestErrorWaitMs: number | undefined;
  for (const request of requests) {
    if (isSuccess(request)) successes += 1;
    if (request.status === null) {
      const code = request.error ?? 'unknown';
      errorCounts[code] = (errorCounts[code] ?? 0) + 1;
      if (request.elapsedMs !== undefined) {
        longestErrorWaitMs = Math.max(longestErrorWaitMs ?? 0, request.elapsedMs);
      }
      continue;
    }
    const status = String(request.status);
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (request.ms !== null) latencies.push(request.ms);
  }
  return {
    requests: requests.length,
    successes,
    successRate: requests.length === 0 ? undefined : successes / requests.length,
    statusCounts,
    errorCounts,
    latency: summarizeLatency(latencies),
    longestErrorWaitMs,
  };
}
