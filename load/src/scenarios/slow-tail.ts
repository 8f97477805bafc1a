import type { CheckResult, PhaseThreshold } from '../checks.js';
import { createFaultApi, type FaultProfileInput } from '../fault-api.js';
import { measureConcurrency } from '../phases.js';
import { type PrometheusSample, parsePrometheusText } from '../prometheus-text.js';
import { armTimelineSpec, tailChartSpec } from '../report/tail-chart.js';
import type { ScenarioChart, ScenarioDefinition, ScenarioOutcome } from '../scenario-definition.js';
import type { RunningService } from '../service.js';
import {
  armOf,
  hedgesSentCheck,
  latencyTail,
  TAIL_ARMS,
  type TailArm,
  upstreamCount,
  upstreamRatioCheck,
} from '../tail-stats.js';
import { buildTimeline } from '../timeline.js';
import { type ConsumerStack, scenarioFile, startConsumerStack } from './consumer-scenario.js';
import { describeEnv } from './services.js';

/** Delay added to the slow requests, and the share of catalog reads that get it. */
export const SLOW_TAIL_LATENCY_MS = 300;
export const SLOW_TAIL_RATE = 0.03;
/** The same seed for both arms' mock-api: the n-th catalog read of each is slow or fast alike. */
export const SLOW_TAIL_SEED = 13;

/**
 * 3 % of the catalog reads (`GET /api/items`, `GET /api/items/:id`: the consumer's idempotent calls, the ones it
 * may hedge) wait 300 ms. Checkouts (`POST /api/orders`) are not delayed: the consumer never hedges them, and 3 %
 * of them slow would be 1 % of all consumer requests at 300 ms, which decides a p99 whatever the hedging does.
 */
export const SLOW_TAIL_FAULTS: FaultProfileInput = {
  latencyMs: SLOW_TAIL_LATENCY_MS,
  latencyRate: SLOW_TAIL_RATE,
  seed: SLOW_TAIL_SEED,
  routes: ['GET /api/items'],
};

/**
 * When the hedged consumer sends its hedge. Not `p95`: the policy records each call's winning attempt, so the p95 it
 * tracks is the fast reads' own, and about 8 % of reads (the 3 % slow ones and 5 % of the fast ones) outlast it;
 * the 5 % cap then refuses a third of the hedges and ~1.25 % of reads stay at 300 ms (load/README.md, "Slow tail").
 * 20 ms is above this machine's fast reads (p99 14-18 ms at Artillery) and far under 300 ms.
 */
export const HEDGE_DELAY_MS = 20;

/** The hedged consumer's settings: after 20 ms, one hedge at most, at most 5 % extra calls (the defaults, explicit). */
export const HEDGED_CONSUMER_ENV: Readonly<Record<string, string>> = {
  UPSTREAM_HEDGE: String(HEDGE_DELAY_MS),
  UPSTREAM_HEDGE_MAX_ATTEMPTS: '2',
  UPSTREAM_HEDGE_MAX_EXTRA_RATIO: '0.05',
};
const HEDGE_VARIABLES = Object.keys(HEDGED_CONSUMER_ENV);

/** Thresholds of the issue: the hedged consumer's p99, and the upstream requests it costs. */
export const HEDGED_P99_MAX_MS = 50;
export const NO_HEDGE_P99_MIN_MS = SLOW_TAIL_LATENCY_MS;
export const UPSTREAM_RATIO_MAX = 1.06;

/**
 * Width of the buckets of the percentiles-over-time chart: about 250 requests per arm in each, so a bucket's p99 is
 * its third slowest request and not, as in a 1 s bucket of ~50, simply its slowest.
 */
export const TAIL_TIMELINE_BUCKET_MS = 5_000;

const ENDPOINTS = ['catalog', 'catalog-item', 'checkout'] as const;
const endpointsOf = (arm: TailArm) => ENDPOINTS.map((endpoint) => `${arm}-${endpoint}`);

const thresholds: PhaseThreshold[] = [
  // The tail cut: the hedged arm's p99 (exact, from every request), over the run and in steady state.
  { phase: '*', metric: 'p99', op: '<=', value: HEDGED_P99_MAX_MS, endpoints: endpointsOf('hedged') },
  { phase: 'steady', metric: 'p99', op: '<=', value: HEDGED_P99_MAX_MS, endpoints: endpointsOf('hedged') },
  // The tail exists: without hedging 2 % of requests (3 % of the two reads in three) wait 300 ms, so p99 does too.
  { phase: '*', metric: 'p99', op: '>=', value: NO_HEDGE_P99_MIN_MS, endpoints: endpointsOf('no-hedge') },
  ...TAIL_ARMS.map(
    (arm): PhaseThreshold => ({
      phase: '*',
      metric: 'successRate',
      op: '>=',
      value: 0.999,
      endpoints: endpointsOf(arm),
    }),
  ),
];

async function metricsOf(service: RunningService): Promise<PrometheusSample[]> {
  const response = await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET ${service.name} /metrics answered ${response.status}`);
  return parsePrometheusText(await response.text());
}

/**
 * Users in a session during `steady`: the total as in baseline (twice its 45 / 50), and each arm's mean at least
 * `armMin`. Each arrival picks its arm at random, so in an 8 s smoke run (about one generation of 100 users) an
 * arm's share is binomial, 50 +- 5: 35 is three standard deviations below.
 */
function armConcurrencyChecks(
  outcome: ScenarioOutcome,
  armMin: number,
  totalMin: number,
  max: number,
): CheckResult[] {
  const steady = outcome.phases.find((phase) => phase.name === 'steady');
  const name = 'virtual users in a session during steady (each arm; total)';
  if (steady === undefined) {
    return [{ kind: 'verification', name, expected: 'ran', actual: 'phase did not run', passed: false }];
  }
  const end = Math.min(steady.end, steady.plannedEnd);
  const arms = new Map<string, TailArm | undefined>();
  for (const request of outcome.log.requests) arms.set(request.vu, armOf(request));
  const total = measureConcurrency(outcome.log.sessions, steady.start, end);
  const perArm = TAIL_ARMS.map((arm) => ({
    arm,
    concurrency: measureConcurrency(
      outcome.log.sessions.filter((session) => arms.get(session.vu) === arm),
      steady.start,
      end,
    ),
  }));
  return [
    {
      kind: 'verification',
      name,
      expected: `mean >= ${armMin} each; total mean >= ${totalMin}, max <= ${max}`,
      actual: `${perArm.map(({ arm, concurrency }) => `${arm} mean ${concurrency.mean.toFixed(1)}`).join(', ')}; total mean ${total.mean.toFixed(1)}, max ${total.max}`,
      passed:
        perArm.every(({ concurrency }) => concurrency.mean >= armMin) &&
        total.mean >= totalMin &&
        total.max <= max,
    },
  ];
}

function tailCharts(outcome: ScenarioOutcome): ScenarioChart[] {
  const byArm = TAIL_ARMS.map((arm) => ({
    arm,
    requests: outcome.log.requests.filter((request) => armOf(request) === arm),
  }));
  const origin = outcome.phases[0]?.start ?? outcome.log.requests[0]?.t ?? 0;
  return [
    {
      file: 'tail.svg',
      title: 'slow-tail: share of responses slower than x, without and with hedging',
      spec: tailChartSpec(
        'slow-tail: share of consumer responses slower than x (both arms, whole run)',
        byArm.map(({ arm, requests }) => ({
          label: arm,
          points: latencyTail(requests.flatMap((request) => (request.ms === null ? [] : [request.ms]))),
        })),
      ),
    },
    {
      file: 'tail-over-time.svg',
      title: 'slow-tail: p50 and p99 per 5 s, without and with hedging',
      spec: armTimelineSpec(
        'slow-tail: consumer p50 (thin) and p99 (thick) per 5 s',
        byArm.map(({ arm, requests }) => ({
          label: arm,
          timeline: buildTimeline(requests, origin, outcome.isSuccess, TAIL_TIMELINE_BUCKET_MS),
        })),
        TAIL_TIMELINE_BUCKET_MS / 1000,
      ),
    },
  ];
}

export const slowTail: ScenarioDefinition = {
  name: 'slow-tail',
  title: `The baseline load on two consumers side by side while mock-api delays a random ${SLOW_TAIL_RATE * 100} % of catalog reads by ${SLOW_TAIL_LATENCY_MS} ms: without hedging p99 >= ${NO_HEDGE_P99_MIN_MS} ms, hedging after ${HEDGE_DELAY_MS} ms cuts it to <= ${HEDGED_P99_MAX_MS} ms for <= ${UPSTREAM_RATIO_MAX} upstream requests per consumer request.`,
  scriptPath: scenarioFile('slow-tail'),
  thresholds,
  invariants: [
    { name: 'no 5xx from either consumer', violates: (request) => (request.status ?? 0) >= 500 },
    { name: 'no request without a response', violates: (request) => request.status === null },
  ],
  async setup(context) {
    const stacks: Record<TailArm, ConsumerStack> = {
      'no-hedge': await startConsumerStack(context, {
        nameSuffix: 'no-hedge',
        consumerEnv: { UPSTREAM_HEDGE: 'off' },
      }),
      hedged: await startConsumerStack(context, { nameSuffix: 'hedged', consumerEnv: HEDGED_CONSUMER_ENV }),
    };
    const faults = TAIL_ARMS.map((arm) => createFaultApi(stacks[arm].mockApi.url, stacks[arm].adminToken));
    // After the warm-up (which both stacks had without faults), as in the other fault scenarios.
    await Promise.all(faults.map((api) => api.set(SLOW_TAIL_FAULTS)));
    const before = await Promise.all(TAIL_ARMS.map((arm) => metricsOf(stacks[arm].mockApi)));
    return {
      target: stacks['no-hedge'].consumer.url,
      variables: { noHedge: stacks['no-hedge'].consumer.url, hedged: stacks.hedged.consumer.url },
      notes: [
        ...TAIL_ARMS.flatMap((arm) => stacks[arm].notes.map((note) => `${arm}: ${note}`)),
        ...TAIL_ARMS.map((arm) => describeEnv(stacks[arm].consumer, HEDGE_VARIABLES)),
        `faults on both mock-api instances for the whole run: ${JSON.stringify(SLOW_TAIL_FAULTS)}`,
        'each arrival picks one arm (weight 1 each); request names carry the arm (no-hedge-catalog, hedged-catalog, ...)',
      ],
      verify: async (outcome) => {
        // mock-api's counters first, before anything of the verification adds to them.
        const after = await Promise.all(TAIL_ARMS.map((arm) => metricsOf(stacks[arm].mockApi)));
        await Promise.all(faults.map((api) => api.clear()));
        const results: CheckResult[] = [];
        for (const [index, arm] of TAIL_ARMS.entries()) {
          const count = upstreamCount(before[index] ?? [], after[index] ?? []);
          const consumerRequests = outcome.log.requests.filter((request) => armOf(request) === arm).length;
          results.push(upstreamRatioCheck(arm, count, consumerRequests, UPSTREAM_RATIO_MAX));
          if (arm === 'hedged') results.push(hedgesSentCheck(count, consumerRequests));
        }
        results.push(...armConcurrencyChecks(outcome, 35, 90, 100));
        return results;
      },
      charts: tailCharts,
    };
  },
};
