import type { CheckResult } from '../checks.js';
import { createFaultApi } from '../fault-api.js';
import type { RequestRecord } from '../request-log.js';
import type { ScenarioDefinition, ScenarioOutcome } from '../scenario-definition.js';
import type { RunningService } from '../service.js';
import { scenarioFile, startConsumerStack } from './consumer-scenario.js';

const isStale200 = (request: RequestRecord) => request.status === 200 && request.xCache === 'stale';

/** The breakers in the consumer's `/readyz` body. */
async function breakerStates(consumer: RunningService): Promise<{ key: string; state: string }[]> {
  const response = await fetch(`${consumer.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { upstreams?: { key?: unknown; state?: unknown }[] };
  return (body.upstreams ?? []).map((upstream) => ({
    key: String(upstream.key),
    state: String(upstream.state),
  }));
}

/**
 * While the breaker is open, answers are stale 200s or 503s; the only other answers allowed are those of the
 * half-open trials (one per breaker per reset period), which really call the (down) upstream.
 */
export function openPhaseAnswers(outcome: ScenarioOutcome, resetMs: number, breakers: number): CheckResult {
  const window = outcome.phases.find((phase) => phase.name === 'outage-open');
  const requests = outcome.byPhase.get('outage-open') ?? [];
  const other = requests.filter((request) => !isStale200(request) && request.status !== 503);
  const trials = window === undefined ? 0 : breakers * (Math.ceil((window.end - window.start) / resetMs) + 1);
  return {
    kind: 'verification',
    name: 'outage-open: answers are stale 200s or 503s (half-open trials aside)',
    expected: `<= ${trials} other answers (trials)`,
    actual: `${other.length} other of ${requests.length}${other[0] ? ` (e.g. ${other[0].name} -> ${other[0].status ?? other[0].error})` : ''}`,
    passed: requests.length > 0 && other.length <= trials,
  };
}

/** The baseline load through an upstream outage longer than the breaker's reset time, then a recovery. */
export const upstreamOutage: ScenarioDefinition = {
  name: 'upstream-outage',
  title:
    'Baseline load while mock-api goes down for longer than the breaker reset, then recovers: fast stale/503 answers while open, never 500, success back to >= 99 % after recovery.',
  scriptPath: scenarioFile('upstream-outage'),
  thresholds: [
    // Requests answered while mock-api was up: a checkout in flight when the fault is applied at outage-onset saw
    // the outage (its 502 still counts in the whole run and in every invariant).
    { phase: 'healthy', metric: 'successRate', op: '>=', value: 0.999, answeredInPhase: true },
    { phase: 'outage-open', metric: 'p95', op: '<', value: 20 },
    { phase: 'recovered', metric: 'successRate', op: '>=', value: 0.99 },
    { phase: '*', metric: 'max', op: '<', value: 3000 },
    { phase: '*', metric: 'errors', op: '==', value: 0 },
  ],
  invariants: [
    { name: 'no 500 from the consumer', violates: (request) => request.status === 500 },
    {
      name: 'every 503 carries Retry-After',
      violates: (request) => request.status === 503 && !request.retryAfter,
    },
    {
      name: 'every 200 while open is a stale copy (X-Cache: stale)',
      phases: ['outage-open'],
      violates: (request) => request.status === 200 && request.xCache !== 'stale',
    },
  ],
  // Timed from the fault API calls: mock-api down at the start of outage-onset, back at the start of recovery.
  alerts: [
    { type: 'fires', alert: 'CircuitBreakerOpen', within: { sec: 30, of: 'outage-onset' } },
    { type: 'resolves', alert: 'CircuitBreakerOpen', within: { sec: 30, of: 'recovery' } },
  ],
  async setup(context) {
    const stack = await startConsumerStack(context);
    const faults = createFaultApi(stack.mockApi.url, stack.adminToken);
    const resetMs = Number(stack.consumer.env.BREAKER_RESET_MS);
    return {
      target: stack.consumer.url,
      notes: [...stack.notes, 'fault at outage-onset: {"down":true}; cleared at recovery'],
      onPhaseStart: {
        'outage-onset': async () => {
          await faults.set({ down: true });
          return 'mock-api down';
        },
        recovery: async () => {
          await faults.clear();
          return 'mock-api back';
        },
      },
      verify: async (outcome) => {
        const states = await breakerStates(stack.consumer);
        const results: CheckResult[] = [
          openPhaseAnswers(outcome, resetMs, Math.max(1, states.length)),
          {
            kind: 'verification',
            name: 'breakers closed after recovery (consumer /readyz)',
            expected: 'every upstream CLOSED',
            actual:
              states.length === 0
                ? 'no breakers reported'
                : states.map((s) => `${s.key}=${s.state}`).join(', '),
            passed: states.length > 0 && states.every((s) => s.state === 'CLOSED'),
          },
        ];
        const open = outcome.byPhase.get('outage-open') ?? [];
        const served = open.filter((request) => isStale200(request) || request.status === 503).length;
        results.push({
          kind: 'verification',
          name: 'outage-open: the breaker answered (stale or 503) instead of the upstream',
          expected: '>= 95 % of answers',
          actual: `${open.length === 0 ? 0 : ((served / open.length) * 100).toFixed(1)} %`,
          passed: open.length > 0 && served / open.length >= 0.95,
        });
        return results;
      },
    };
  },
};
