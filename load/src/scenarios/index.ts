import type { ScenarioDefinition } from '../scenario-definition.js';
import { baseline } from './baseline.js';
import { multiInstance } from './multi-instance.js';
import { multiInstanceCluster } from './multi-instance-cluster.js';
import { overload } from './overload.js';
import { rateLimit } from './rate-limit.js';
import { slowRedis } from './slow-redis.js';
import { slowTail } from './slow-tail.js';
import { spike } from './spike.js';
import { transientFaults } from './transient-faults.js';
import { upstreamOutage } from './upstream-outage.js';

/** Every scenario, in the order `pnpm load` runs them. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  baseline,
  transientFaults,
  upstreamOutage,
  rateLimit,
  multiInstance,
  multiInstanceCluster,
  slowRedis,
  slowTail,
  spike,
  overload,
];
