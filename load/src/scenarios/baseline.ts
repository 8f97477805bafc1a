import type { ScenarioDefinition } from '../scenario-definition.js';
import { concurrencyCheck, scenarioFile, startConsumerStack } from './consumer-scenario.js';

/** 50 concurrent users browsing and checking out through the consumer, nothing failing. */
export const baseline: ScenarioDefinition = {
  name: 'baseline',
  title: '50 concurrent users (think time, loops, maxVusers 50) browse and check out through the consumer.',
  scriptPath: scenarioFile('baseline'),
  thresholds: [
    { phase: '*', metric: 'p95', op: '<', value: 50 },
    { phase: '*', metric: 'p99', op: '<', value: 200 },
    { phase: '*', metric: 'successRate', op: '>=', value: 0.999 },
    { phase: 'steady', metric: 'p95', op: '<', value: 50 },
    { phase: 'steady', metric: 'successRate', op: '>=', value: 0.999 },
  ],
  invariants: [{ name: 'no request without a response', violates: (request) => request.status === null }],
  alerts: [{ type: 'none-fire' }],
  async setup(context) {
    const stack = await startConsumerStack(context);
    return {
      target: stack.consumer.url,
      notes: stack.notes,
      verify: async (outcome) => [concurrencyCheck(outcome, 'steady', 45, 50)],
    };
  },
};
