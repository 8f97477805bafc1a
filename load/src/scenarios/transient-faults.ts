import type { CheckResult } from '../checks.js';
import { createFaultApi, type FaultProfileInput } from '../fault-api.js';
import { type OrderSummary, parseOrderList, verifyOrders } from '../order-verification.js';
import type { ScenarioDefinition, ScenarioOutcome } from '../scenario-definition.js';
import type { RunningService } from '../service.js';
import {
  concurrencyCheck,
  scenarioFile,
  startConsumerStack,
  WARM_UP_KEY_PREFIX,
} from './consumer-scenario.js';
import { CONSUMER_API_KEY } from './services.js';

/** 10 % of upstream requests answer 503, 5 % are delayed by 200 ms (independently). */
export const TRANSIENT_FAULTS: FaultProfileInput = {
  errorRate: 0.1,
  errorStatus: 503,
  latencyMs: 200,
  latencyRate: 0.05,
  routes: ['/api/items', 'POST /api/orders'],
};

const ORDER_LIST_LIMIT = 10_000;

/** Every order mock-api holds, through its verification endpoint. */
export async function fetchOrders(
  mockApi: RunningService,
): Promise<{ orders: OrderSummary[]; total: number }> {
  const response = await fetch(`${mockApi.url}/api/orders?limit=${ORDER_LIST_LIMIT}`, {
    headers: { 'X-API-Key': CONSUMER_API_KEY },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`GET /api/orders answered ${response.status}`);
  const body = (await response.json()) as unknown;
  const orders = parseOrderList(body);
  const total =
    typeof body === 'object' && body !== null && typeof (body as { total?: unknown }).total === 'number'
      ? (body as { total: number }).total
      : orders.length;
  return { orders, total };
}

/**
 * The load's orders (the warm-up's are left out: their idempotency keys say so) against its checkouts: each
 * successful checkout has exactly one order, no key has two, and the whole order list was read.
 */
export async function verifyLoadOrders(
  mockApi: RunningService,
  outcome: ScenarioOutcome,
): Promise<CheckResult[]> {
  const { orders: all, total } = await fetchOrders(mockApi);
  // (A time boundary was off by one: the last warm-up order can share its millisecond with the boundary.)
  const orders = all.filter((order) => !order.idempotencyKey?.startsWith(WARM_UP_KEY_PREFIX));
  const checkouts = outcome.log.requests.filter((request) => request.name === 'checkout');
  const results: CheckResult[] = verifyOrders(checkouts, orders, outcome.isSuccess);
  results.push({
    kind: 'verification',
    name: 'orders: the whole order list was read',
    expected: `total <= ${ORDER_LIST_LIMIT}`,
    actual: `total ${total}, read ${all.length} (${all.length - orders.length} from the warm-up)`,
    passed: total === all.length,
  });
  return results;
}

/** The baseline load while mock-api injects transient faults; retries keep checkouts successful and single. */
export const transientFaults: ScenarioDefinition = {
  name: 'transient-faults',
  title:
    'Baseline load while mock-api answers 10 % 503s and delays 5 % by 200 ms: retries keep success >= 99.5 % and every successful checkout creates exactly one order.',
  scriptPath: scenarioFile('transient-faults'),
  thresholds: [
    { phase: '*', metric: 'successRate', op: '>=', value: 0.995 },
    { phase: '*', metric: 'successRate', op: '>=', value: 0.995, endpoints: ['checkout'] },
    { phase: '*', metric: 'p99', op: '<', value: 1000 },
  ],
  invariants: [
    { name: 'no 500 from the consumer', violates: (request) => request.status === 500 },
    { name: 'no request without a response', violates: (request) => request.status === null },
  ],
  async setup(context) {
    const stack = await startConsumerStack(context);
    const faults = createFaultApi(stack.mockApi.url, stack.adminToken);
    await faults.set(TRANSIENT_FAULTS);
    return {
      target: stack.consumer.url,
      notes: [...stack.notes, `faults for the whole run: ${JSON.stringify(TRANSIENT_FAULTS)}`],
      verify: async (outcome) => {
        await faults.clear();
        const results = await verifyLoadOrders(stack.mockApi, outcome);
        results.push(concurrencyCheck(outcome, 'steady', 45, 50));
        return results;
      },
    };
  },
};
