import { measureCapacity } from '../capacity.js';
import type { CheckResult } from '../checks.js';
import { parsePrometheusText, sumSamples } from '../prometheus-text.js';
import type { RequestRecord } from '../request-log.js';
import type { ScenarioDefinition, ScenarioOutcome } from '../scenario-definition.js';
import { summarizeLatency } from '../traffic-stats.js';
import { ITEM_COUNT, scenarioFile, startConsumerStack } from './consumer-scenario.js';

/** Arrivals at the peak, as a multiple of the measured capacity. */
export const OVERLOAD_FACTOR = 3;
/** Closed-loop workers of the capacity phase: 16 did not saturate the consumer here (its goodput under Artillery was 2.6x the probe's). */
const PROBE_CONCURRENCY = 64;

const ok = (request: RequestRecord) =>
  request.status !== null && request.status >= 200 && request.status < 300;

interface LimitSample {
  readonly at: number;
  readonly limit: number;
  readonly inFlight: number;
}

/** Reads the consumer's inbound concurrency limit once a second while the load runs. */
function sampleLimit(metricsUrl: string): { samples: LimitSample[]; stop(): void } {
  const samples: LimitSample[] = [];
  let stopped = false;
  const tick = async (): Promise<void> => {
    while (!stopped) {
      try {
        const parsed = parsePrometheusText(await (await fetch(metricsUrl)).text());
        samples.push({
          at: Date.now(),
          limit: sumSamples(parsed, 'http_concurrency_limit'),
          inFlight: sumSamples(parsed, 'http_concurrency_in_flight'),
        });
      } catch {
        // a missed sample leaves a gap in the table; the checks do not depend on it
      }
      await new Promise((resolve) => setTimeout(resolve, 1000).unref());
    }
  };
  void tick();
  return {
    samples,
    stop: () => {
      stopped = true;
    },
  };
}

/** Per second of the run: admitted (2xx) and shed (503) answers, the p99 of admitted ones, the limit. */
export function perSecondTable(
  requests: readonly RequestRecord[],
  samples: readonly LimitSample[],
  start: number,
): string[] {
  const rows = new Map<number, { admitted: number[]; shed: number; other: number }>();
  for (const request of requests) {
    const second = Math.floor((request.t - start) / 1000);
    const row = rows.get(second) ?? { admitted: [], shed: 0, other: 0 };
    if (ok(request)) row.admitted.push(request.ms ?? 0);
    else if (request.status === 503) row.shed += 1;
    else row.other += 1;
    rows.set(second, row);
  }
  const lines = ['second | admitted | shed | other | admitted p99 ms | limit | in flight'];
  for (const second of [...rows.keys()].sort((a, b) => a - b)) {
    const row = rows.get(second) as { admitted: number[]; shed: number; other: number };
    const sample = samples.find((s) => Math.floor((s.at - start) / 1000) === second);
    const p99 = summarizeLatency(row.admitted).p99;
    lines.push(
      `${second} | ${row.admitted.length} | ${row.shed} | ${row.other} | ${p99 === undefined ? '-' : p99.toFixed(1)} | ${sample?.limit ?? '-'} | ${sample?.inFlight ?? '-'}`,
    );
  }
  return lines;
}

function check(name: string, expected: string, actual: string, passed: boolean): CheckResult {
  return { kind: 'verification', name, expected, actual, passed };
}

/** The checks whose bounds come from the measured capacity and the half-capacity phase. */
export function overloadChecks(outcome: ScenarioOutcome, capacityPerSecond: number): CheckResult[] {
  const phase = (name: string) => outcome.byPhase.get(name) ?? [];
  const window = outcome.phases.find((p) => p.name === 'overload');
  const halfP99 = summarizeLatency(
    phase('half')
      .filter(ok)
      .map((r) => r.ms ?? 0),
  ).p99;
  const overload = phase('overload');
  const admitted = overload.filter(ok);
  const overP99 = summarizeLatency(admitted.map((r) => r.ms ?? 0)).p99;
  const goodput = window === undefined ? 0 : (admitted.length * 1000) / (window.plannedEnd - window.start);
  const checkouts = outcome.log.requests.filter((r) => r.name === 'checkout');
  const checkoutOk = checkouts.filter(ok).length;
  const shed = overload.filter((r) => r.status === 503).length;
  return [
    check(
      'p99 of admitted requests at 3x capacity <= 2x their p99 at half capacity',
      halfP99 === undefined
        ? 'a half-capacity p99'
        : `<= ${(2 * halfP99).toFixed(1)} ms (2 x ${halfP99.toFixed(1)})`,
      overP99 === undefined ? 'no admitted request' : `${overP99.toFixed(1)} ms`,
      halfP99 !== undefined && overP99 !== undefined && overP99 <= 2 * halfP99,
    ),
    check(
      'goodput at 3x capacity >= 90 % of capacity',
      `>= ${(0.9 * capacityPerSecond).toFixed(1)}/s (capacity ${capacityPerSecond.toFixed(1)}/s)`,
      `${goodput.toFixed(1)}/s (${admitted.length} 2xx)`,
      goodput >= 0.9 * capacityPerSecond,
    ),
    check(
      'checkout (priority high) success >= 99 %',
      '>= 99 %',
      `${checkouts.length === 0 ? '-' : ((100 * checkoutOk) / checkouts.length).toFixed(2)} % (${checkoutOk} of ${checkouts.length})`,
      checkouts.length > 0 && checkoutOk >= 0.99 * checkouts.length,
    ),
    check('requests shed during the overload', '> 0', String(shed), shed > 0),
  ];
}

/** Arrivals ramped to 3x the consumer's capacity, measured in the scenario's first (capacity) phase. */
export const overload: ScenarioDefinition = {
  name: 'overload',
  // Measured 2026-12-03 (`pnpm load -- --smoke overload`, load 1.7-2.4): 1,539 of 25,678 rejections took >= 10 ms
  // and the admitted p99 at 3x was 1,702 ms against a 52 ms bound: on 2 cores, Artillery, mock-api and the consumer
  // share the CPU, and at 3x arrivals accepting and parsing the requests to reject saturates it.
  notInSmokeSet:
    'its thresholds (rejections < 10 ms, admitted p99 <= 2x) do not hold yet on 2 cores shared with the load generator',
  title:
    'Arrivals ramp to 3x the capacity measured first: admitted p99 <= 2x its half-load p99, goodput >= 90 %, checkout >= 99 %, fast 503s.',
  scriptPath: scenarioFile('overload'),
  thresholds: [],
  invariants: [
    { name: 'no request without a response', violates: (request) => request.status === null },
    {
      name: 'every 503 answered in < 10 ms with Retry-After',
      violates: (request) =>
        request.status === 503 &&
        (request.ms === null || request.ms >= 10 || request.retryAfter === undefined),
    },
    { name: 'no 500 from the consumer', violates: (request) => request.status === 500 },
  ],
  async setup(context) {
    const stack = await startConsumerStack(context);
    const capacity = await measureCapacity(stack.consumer.url, {
      concurrency: PROBE_CONCURRENCY,
      durationMs: context.mode === 'smoke' ? 4_000 : 10_000,
      next: (n) =>
        n % 5 === 4
          ? { method: 'POST', path: '/checkout', body: { itemId: String((n % ITEM_COUNT) + 1), quantity: 1 } }
          : { method: 'GET', path: `/catalog/${(n % ITEM_COUNT) + 1}` },
    });
    const halfRate = Math.max(1, Math.round(capacity.okPerSecond / 2));
    const overRate = Math.max(2, Math.round(capacity.okPerSecond * OVERLOAD_FACTOR));
    const sampler = sampleLimit(`${stack.consumer.url}/metrics`);
    return {
      target: stack.consumer.url,
      variables: { halfRate, overRate },
      notes: [
        ...stack.notes,
        `capacity phase (before Artillery, ${PROBE_CONCURRENCY} closed-loop workers, a new connection per request, 4 item reads to 1 checkout, ${(capacity.durationMs / 1000).toFixed(1)} s): ${capacity.okPerSecond.toFixed(1)} 2xx/s of ${capacity.requests} requests ${JSON.stringify(capacity.statusCounts)}`,
        `arrivals: half ${halfRate}/s, ramp to ${overRate}/s (${OVERLOAD_FACTOR}x), overload ${overRate}/s, after ${halfRate}/s`,
      ],
      async verify(outcome) {
        sampler.stop();
        const start = outcome.phases[0]?.start ?? Date.now();
        const table = perSecondTable(outcome.log.requests, sampler.samples, start);
        return [
          ...overloadChecks(outcome, capacity.okPerSecond),
          check(
            'per second: admitted vs shed, limit beside latency',
            'a table',
            `\n${table.join('\n')}`,
            true,
          ),
        ];
      },
      cleanup: async () => {
        sampler.stop();
      },
    };
  },
};
