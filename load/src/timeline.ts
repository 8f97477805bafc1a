import type { RequestRecord } from './request-log.js';
import type { TimelinePoint } from './scenario-result.js';
import { type SuccessRule, summarizeLatency } from './traffic-stats.js';

/** Bucket width for a run of `durationMs`: 1 s up to two minutes, then wider so a chart keeps ~120 points. */
export function bucketWidthMs(durationMs: number): number {
  return Math.max(1_000, Math.ceil(durationMs / 120 / 1_000) * 1_000);
}

/** p50/p95/p99, error rate and 429 share of the requests started in each bucket from `origin` to the last request. */
export function buildTimeline(
  requests: readonly RequestRecord[],
  origin: number,
  isSuccess: SuccessRule,
  widthMs?: number,
): TimelinePoint[] {
  if (requests.length === 0) return [];
  const last = requests.reduce((max, request) => Math.max(max, request.t), origin);
  const width = widthMs ?? bucketWidthMs(last - origin);
  const buckets: RequestRecord[][] = [];
  for (const request of requests) {
    const index = Math.max(0, Math.floor((request.t - origin) / width));
    const bucket = buckets[index] ?? [];
    bucket.push(request);
    buckets[index] = bucket;
  }
  const points: TimelinePoint[] = [];
  for (let index = 0; index < buckets.length; index += 1) {
    const bucket = buckets[index] ?? [];
    const latencies = bucket.flatMap((request) => (request.ms === null ? [] : [request.ms]));
    const summary = summarizeLatency(latencies);
    const failures = bucket.filter((request) => !isSuccess(request)).length;
    const limited = bucket.filter((request) => request.status === 429).length;
    points.push({
      t: (index * width) / 1_000,
      requests: bucket.length,
      p50: summary.p50,
      p95: summary.p95,
      p99: summary.p99,
      errorRate: bucket.length === 0 ? undefined : failures / bucket.length,
      limitedRate: bucket.length === 0 ? undefined : limited / bucket.length,
    });
  }
  return points;
}
