import type { ScenarioResult } from '../../src/scenario-result.js';
import { summarizeTraffic } from '../../src/traffic-stats.js';
import { request } from './records.js';

/** A small finished scenario result, for report tests. */
export function sampleResult(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  const requests = [
    request({ t: 0, ms: 4 }),
    request({ t: 500, ms: 9 }),
    request({ t: 1_200, ms: 30, status: 503 }),
  ];
  const stats = summarizeTraffic(requests);
  return {
    name: 'outage',
    title: 'The upstream goes down.',
    mode: 'smoke',
    passed: false,
    startedAt: 0,
    endedAt: 5_000,
    notes: ['consumer: BREAKER_RESET_MS=3000'],
    overall: stats,
    overallConcurrency: { mean: 1.5, max: 2 },
    phases: [
      {
        phase: { index: 0, name: 'healthy', durationSec: 1, start: 0, end: 1_000, plannedEnd: 1_000 },
        stats: summarizeTraffic(requests.slice(0, 2)),
        concurrency: { mean: 1, max: 1 },
      },
      {
        phase: { index: 1, name: 'outage-open', durationSec: 1, start: 1_000, end: 2_000, plannedEnd: 2_000 },
        stats: summarizeTraffic(requests.slice(2)),
        concurrency: { mean: 2, max: 2 },
      },
    ],
    endpoints: [{ name: 'things', stats }],
    checks: [
      { kind: 'phase', name: 'p95 [outage-open]', expected: '< 20 ms', actual: '30 ms', passed: false },
      { kind: 'ensure', name: 'vusers.failed == 0', expected: 'true', actual: 'true', passed: true },
    ],
    timeline: [
      { t: 0, requests: 2, p50: 4, p95: 9, p99: 9, errorRate: 0, limitedRate: 0 },
      { t: 1, requests: 1, p50: 30, p95: 30, p99: 30, errorRate: 1, limitedRate: 0 },
    ],
    actions: [{ phase: 'outage-open', at: 1, description: 'mock-api down' }],
    artilleryExitCode: 0,
    files: {
      artilleryJson: 'outage/artillery.json',
      chart: 'outage/chart.svg',
      logs: ['outage/consumer.log'],
    },
    ...overrides,
  };
}
