import type { CheckResult } from '../checks.js';
import { RedisUnreachableError } from '../errors/redis-unreachable-error.js';
import { accountWindows, verifyWindows } from '../rate-limit-windows.js';
import { deleteKeysWithPrefix } from '../redis-keys.js';
import { pingRedis } from '../redis-ping.js';
import type { ScenarioDefinition, ScenarioOutcome } from '../scenario-definition.js';
import type { RunningService } from '../service.js';
import { scenarioFile } from './consumer-scenario.js';
import {
  CLIENT_COUNT,
  isAnswered,
  MINUTE_POLICY,
  PER_MINUTE,
  randomClientNet,
  rateLimitedEnv,
  rateLimitInvariants,
} from './rate-limit.js';
import { describeEnv, startMockApi } from './services.js';

export const multiInstance: ScenarioDefinition = {
  name: 'multi-instance',
  title: `Two mock-api instances share their limits in Redis: each client's 200s per window, over both instances, equal ${PER_MINUTE}, not twice it.`,
  scriptPath: scenarioFile('multi-instance'),
  isSuccess: isAnswered,
  thresholds: [
    { phase: '*', metric: 'p95', op: '<', value: 100, statuses: [429] },
    { phase: '*', metric: 'successRate', op: '==', value: 1 },
  ],
  invariants: [...rateLimitInvariants],
  async setup(context) {
    if (!(await pingRedis(context.redisUrl))) {
      throw new RedisUnreachableError(context.redisUrl);
    }
    // A prefix of its own per run: nothing from an earlier run (or another user of this Redis) counts, and the
    // run deletes exactly its own keys afterwards instead of leaving them for up to an hour.
    const keyPrefix = `load-${context.runId}:`;
    const env = {
      ...rateLimitedEnv(),
      REDIS_URL: context.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      // A Redis failure must not pass requests through: it would hide a broken shared store (it shows as a 503).
      RATE_LIMIT_ON_STORE_ERROR: 'closed',
      // This scenario measures shared counting, not Redis latency: on a busy shared machine the default 100 ms
      // bound on one command turned a few slow answers into 503s.
      REDIS_COMMAND_TIMEOUT_MS: '1000',
    };
    const { service: first } = await startMockApi(context, { name: 'mock-api-a', env });
    const { service: second } = await startMockApi(context, { name: 'mock-api-b', env });
    const clientNet = randomClientNet();
    return {
      target: first.url,
      variables: { clientCount: CLIENT_COUNT, clientNet, instanceA: first.url, instanceB: second.url },
      notes: [
        describeEnv(first, [
          'TRUST_PROXY',
          'RATE_LIMIT_PER_MINUTE',
          'REDIS_URL',
          'REDIS_KEY_PREFIX',
          'RATE_LIMIT_ON_STORE_ERROR',
        ]),
        `${CLIENT_COUNT} clients: X-Forwarded-For ${clientNet}.1 to ${clientNet}.${CLIENT_COUNT}, alternating between ${first.url} and ${second.url}`,
      ],
      cleanup: async () => {
        await deleteKeysWithPrefix(context.redisUrl, keyPrefix);
      },
      verify: verifySharedLimit(first, second),
    };
  },
};

/**
 * The checks of a shared limit on two instances: each client's 200s per minute window, over both, equal the
 * limit, and each instance answered both 200s and 429s.
 */
export function verifySharedLimit(
  first: RunningService,
  second: RunningService,
): (outcome: ScenarioOutcome) => Promise<CheckResult[]> {
  return async (outcome) => {
    const results: CheckResult[] = verifyWindows(
      accountWindows(outcome.log.requests, MINUTE_POLICY),
      PER_MINUTE,
      {
        minClients: CLIENT_COUNT,
        label: 'shared limit',
      },
    );
    for (const instance of [first, second]) {
      const answered = outcome.log.requests.filter((request) => request.origin === instance.url);
      const allowed = answered.filter((request) => request.status === 200).length;
      const limited = answered.filter((request) => request.status === 429).length;
      results.push({
        kind: 'verification',
        name: `${instance.name} answered both 200s and 429s (the limit is shared, not per instance)`,
        expected: '>= 1 each',
        actual: `${allowed} x 200, ${limited} x 429`,
        passed: allowed > 0 && limited > 0,
      });
    }
    return results;
  };
}
