import { join } from 'node:path';
import { SCENARIOS_DIR } from '../app-entry-points.js';
import type { CheckResult } from '../checks.js';
import { measureConcurrency } from '../phases.js';
import type { ScenarioContext, ScenarioOutcome } from '../scenario-definition.js';
import type { RunningService } from '../service.js';
import { describeWarmUp, warmUp } from '../warm-up.js';
import { describeEnv, startConsumer, startMockApi } from './services.js';

/** Path of a scenario YAML. */
export function scenarioFile(name: string): string {
  return join(SCENARIOS_DIR, `${name}.yml`);
}

export interface ConsumerStack {
  readonly mockApi: RunningService;
  readonly consumer: RunningService;
  readonly adminToken: string;
  readonly notes: string[];
}

export interface ConsumerStackOptions {
  /** mock-api's environment on top of the defaults (Redis, limits). @default none */
  readonly mockApiEnv?: Readonly<Record<string, string>>;
  /** The consumer's environment on top of the defaults. @default none */
  readonly consumerEnv?: Readonly<Record<string, string>>;
  /** Appended to the service names (`mock-api-<suffix>`, `consumer-<suffix>`), for two stacks in one run. @default none */
  readonly nameSuffix?: string;
}

/** Idempotency keys of the warm-up's checkouts start with this, so their orders can be told apart. */
export const WARM_UP_KEY_PREFIX = 'load-warm-up-';

/** Warm-up rounds of catalog, item and checkout before the load. */
export const WARM_UP_ROUNDS = 150;

/** Items in mock-api's catalogue (ids "1" to "36"). */
export const ITEM_COUNT = 36;

/**
 * Starts mock-api, then the consumer pointed at it, then warms both up through the consumer with the requests
 * the scenarios send (150 rounds of catalog, item, checkout; 8 at a time). Not measured: the thresholds are
 * about services in steady state, not about their first second of JIT compilation and empty pools.
 */
export async function startConsumerStack(
  context: ScenarioContext,
  options: ConsumerStackOptions = {},
): Promise<ConsumerStack> {
  const suffix = options.nameSuffix === undefined ? '' : `-${options.nameSuffix}`;
  const { service: mockApi, adminToken } = await startMockApi(context, {
    name: `mock-api${suffix}`,
    ...(options.mockApiEnv === undefined ? {} : { env: options.mockApiEnv }),
  });
  const consumer = await startConsumer(context, mockApi.url, {
    name: `consumer${suffix}`,
    ...(options.consumerEnv === undefined ? {} : { env: options.consumerEnv }),
  });
  const item = (round: number) => String((round % ITEM_COUNT) + 1);
  const warm = await warmUp(
    consumer.url,
    [
      { method: 'GET', path: '/catalog' },
      { method: 'GET', path: (round) => `/catalog/${item(round)}` },
      {
        method: 'POST',
        path: '/checkout',
        body: { itemId: '1', quantity: 1 },
        headers: (round) => ({ 'Idempotency-Key': `${WARM_UP_KEY_PREFIX}${context.runId}-${round}` }),
      },
    ],
    { rounds: WARM_UP_ROUNDS, concurrency: 8 },
  );
  return {
    mockApi,
    consumer,
    adminToken,
    notes: [
      `warm-up through the consumer before the load (not measured): ${describeWarmUp(warm)}`,
      describeEnv(mockApi, ['API_KEYS', 'FAULTS_ENABLED']),
      describeEnv(consumer, [
        'UPSTREAM_TIMEOUT_MS',
        'RETRY_MAX',
        'RETRY_BASE_MS',
        'BREAKER_FAILURE_THRESHOLD',
        'BREAKER_RESET_MS',
        'REQUEST_DEADLINE_MS',
        'STALE_CACHE_TTL_MS',
      ]),
    ],
  };
}

/**
 * Measured concurrency: the mean number of virtual users in a session during `phase` (its planned duration,
 * not the users still finishing after the last arrival) is at least `min`, and never above `max` (maxVusers).
 */
export function concurrencyCheck(
  outcome: ScenarioOutcome,
  phase: string,
  min: number,
  max: number,
): CheckResult {
  const window = outcome.phases.find((candidate) => candidate.name === phase);
  if (window === undefined) {
    return {
      kind: 'verification',
      name: `virtual users in a session during ${phase}`,
      expected: `mean >= ${min}, max <= ${max}`,
      actual: 'phase did not run',
      passed: false,
    };
  }
  const measured = measureConcurrency(
    outcome.log.sessions,
    window.start,
    Math.min(window.end, window.plannedEnd),
  );
  return {
    kind: 'verification',
    name: `virtual users in a session during ${phase}`,
    expected: `mean >= ${min}, max <= ${max}`,
    actual: `mean ${measured.mean.toFixed(1)}, max ${measured.max}`,
    passed: measured.mean >= min && measured.max <= max,
  };
}
