import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisCluster } from '../../../scripts/redis-cluster-lib.mjs';
import type { ScenarioDefinition } from '../scenario-definition.js';
import { multiInstance, verifySharedLimit } from './multi-instance.js';
import { CLIENT_COUNT, PER_MINUTE, randomClientNet, rateLimitedEnv } from './rate-limit.js';
import { describeEnv, startMockApi } from './services.js';

/**
 * `multi-instance` on a Redis Cluster of its own (3 masters + 3 replicas on free ports, started with the code of
 * `pnpm redis:cluster` and stopped after the run): the two instances reach it with `REDIS_CLUSTER_NODES`, and
 * the same checks hold: each client's 200s per window, over both instances, equal the limit.
 */
export const multiInstanceCluster: ScenarioDefinition = {
  ...multiInstance,
  name: 'multi-instance-cluster',
  title: `Two mock-api instances share their limits on a Redis Cluster (3 masters + 3 replicas): each client's 200s per window, over both instances, equal ${PER_MINUTE}.`,
  async setup(context) {
    const cluster = await startRedisCluster({ dir: mkdtempSync(join(tmpdir(), 'load-redis-cluster-')) });
    try {
      const env = {
        ...rateLimitedEnv(),
        REDIS_CLUSTER_NODES: cluster.seedUrls().join(','),
        REDIS_KEY_PREFIX: `load-${context.runId}:`,
        RATE_LIMIT_ON_STORE_ERROR: 'closed',
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
            'REDIS_CLUSTER_NODES',
            'RATE_LIMIT_ON_STORE_ERROR',
          ]),
          `${CLIENT_COUNT} clients: X-Forwarded-For ${clientNet}.1 to ${clientNet}.${CLIENT_COUNT}, alternating between ${first.url} and ${second.url}`,
        ],
        cleanup: () => cluster.stop(),
        verify: verifySharedLimit(first, second),
      };
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  },
};
