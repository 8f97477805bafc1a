import type { ScenarioDefinition } from '../scenario-definition.js';
import { scenarioFile, startConsumerStack } from './consumer-scenario.js';

export const spike: ScenarioDefinition = {
  name: 'spike',
  title: 'Arrivals go from 5/s to 100/s and back: no crash, p99 < 1 s, success >= 99 %.',
  scriptPath: scenarioFile('spike'),
  thresholds: [
    { phase: '*', metric: 'p99', op: '<', value: 1000 },
    { phase: '*', metric: 'successRate', op: '>=', value: 0.99 },
    { phase: 'peak', metric: 'p99', op: '<', value: 1000 },
    { phase: 'peak', metric: 'successRate', op: '>=', value: 0.99 },
  ],
  invariants: [{ name: 'no 500 from the consumer', violates: (request) => request.status === 500 }],
  async setup(context) {
    const stack = await startConsumerStack(context);
    // "No crash" is the runner's check that every service is still running and healthy after the load.
    return { target: stack.consumer.url, notes: stack.notes };
  },
};
