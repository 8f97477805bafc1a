import { Counter, type Registry } from 'prom-client';
import { FAULT_KINDS } from './faults/fault-profile.js';

export const RATE_LIMIT_WINDOWS = ['minute', 'hour'] as const;
export type RateLimitWindow = (typeof RATE_LIMIT_WINDOWS)[number];

/** The service's own metrics (the HTTP ones come from `@resilience/http-server`). */
export interface MockApiMetrics {
  readonly rateLimitRejections: Counter<'window'>;
  readonly rateLimitStoreErrors: Counter<'window'>;
  readonly rateLimitInsurance: Counter<'window'>;
  readonly faultsInjected: Counter<'kind'>;
  readonly ordersCreated: Counter;
  readonly idempotentReplays: Counter;
}

/** Registers the metrics on `registry`, every known label value starting at 0 so each series exists. */
export function createMockApiMetrics(registry: Registry): MockApiMetrics {
  const rateLimitRejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused with 429, by the window that refused them.',
    labelNames: ['window'],
    registers: [registry],
  });
  const rateLimitStoreErrors = new Counter({
    name: 'rate_limit_store_errors_total',
    help: 'Rate-limit store operations that failed or timed out, by window.',
    labelNames: ['window'],
    registers: [registry],
  });
  const rateLimitInsurance = new Counter({
    name: 'rate_limit_insurance_total',
    help: 'Requests counted by the in-process insurance limiter because the rate-limit store failed (policy open), by window.',
    labelNames: ['window'],
    registers: [registry],
  });
  const faultsInjected = new Counter({
    name: 'faults_injected_total',
    help: 'Faults injected into /api requests, by kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const ordersCreated = new Counter({
    name: 'orders_created_total',
    help: 'Orders created (idempotent replays not included).',
    registers: [registry],
  });
  const idempotentReplays = new Counter({
    name: 'idempotent_replays_total',
    help: 'POST requests answered from a stored idempotency record instead of running again.',
    registers: [registry],
  });
  for (const window of RATE_LIMIT_WINDOWS) {
    rateLimitRejections.labels(window).inc(0);
    rateLimitStoreErrors.labels(window).inc(0);
    rateLimitInsurance.labels(window).inc(0);
  }
  for (const kind of FAULT_KINDS) faultsInjected.labels(kind).inc(0);
  return {
    rateLimitRejections,
    rateLimitStoreErrors,
    rateLimitInsurance,
    faultsInjected,
    ordersCreated,
    idempotentReplays,
  };
}
