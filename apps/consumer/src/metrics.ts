import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Breaker states as the circuit-breaker package names them. */
export type BreakerStateName = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** Why a retry was not made although the failure was retryable. */
export type SuppressedRetryReason = 'budget' | 'deadline' | 'non_idempotent';

/** Value of `circuit_breaker_state`: 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerStateName, number>> = {
  CLOSED: 0,
  HALF_OPEN: 1,
  OPEN: 2,
};

export interface ConsumerMetricsOptions {
  /** Registry to register on; the app's own registry, never the global one. @default a new Registry */
  readonly registry?: Registry;
}

/** The consumer's own metrics (the HTTP server metrics come from `@resilience/http-server`). */
export interface ConsumerMetrics {
  readonly registry: Registry;
  /** One upstream attempt finished with `outcome` after `durationMs`; refused attempts (nothing sent) have no duration. */
  observeUpstreamAttempt(upstream: string, outcome: string, durationMs: number | undefined): void;
  retried(upstream: string, reason: string): void;
  retrySuppressed(upstream: string, reason: SuppressedRetryReason): void;
  breakerState(upstream: string, state: BreakerStateName): void;
  breakerTransition(upstream: string, from: BreakerStateName, to: BreakerStateName): void;
  staleServed(route: string): void;
}

const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/** Creates and registers the consumer's metrics. Label values of breaker states are lower case. */
export function createConsumerMetrics(options: ConsumerMetricsOptions = {}): ConsumerMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];

  const upstreamRequests = new Counter({
    name: 'upstream_requests_total',
    help: 'Upstream attempts by upstream origin and outcome (success, http_4xx, rate_limited, http_5xx, timeout, network_error, circuit_open, cancelled).',
    labelNames: ['upstream', 'outcome'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Duration of one upstream attempt in seconds, by upstream origin and outcome.',
    labelNames: ['upstream', 'outcome'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: 'upstream_retries_total',
    help: 'Retries made towards an upstream, by the reason of the failure that was retried.',
    labelNames: ['upstream', 'reason'] as const,
    registers,
  });
  const suppressed = new Counter({
    name: 'upstream_retries_suppressed_total',
    help: 'Retryable failures that were not retried, by why: budget (retry budget spent), deadline (no time left), non_idempotent.',
    labelNames: ['upstream', 'reason'] as const,
    registers,
  });
  const state = new Gauge({
    name: 'circuit_breaker_state',
    help: 'State of the circuit breaker of each upstream: 0 closed, 1 half-open, 2 open.',
    labelNames: ['upstream'] as const,
    registers,
  });
  const transitions = new Counter({
    name: 'circuit_breaker_transitions_total',
    help: 'Circuit breaker state changes by upstream, previous state and new state.',
    labelNames: ['upstream', 'from', 'to'] as const,
    registers,
  });
  const stale = new Counter({
    name: 'stale_responses_total',
    help: 'Responses served from the stale-if-error cache because the upstream failed, by route.',
    labelNames: ['route'] as const,
    registers,
  });

  // One pair of label children per (upstream, outcome), both bounded sets: no label objects per attempt.
  const attemptChildren = new Map<
    string,
    {
      readonly requests: ReturnType<typeof upstreamRequests.labels>;
      readonly duration: ReturnType<typeof upstreamDuration.labels>;
    }
  >();

  return {
    registry,
    observeUpstreamAttempt(upstream, outcome, durationMs) {
      const key = `${upstream} ${outcome}`;
      let pair = attemptChildren.get(key);
      if (pair === undefined) {
        pair = {
          requests: upstreamRequests.labels(upstream, outcome),
          duration: upstreamDuration.labels(upstream, outcome),
        };
        attemptChildren.set(key, pair);
      }
      pair.requests.inc();
      if (durationMs !== undefined) pair.duration.observe(Math.max(0, durationMs) / 1000);
    },
    retried(upstream, reason) {
      retries.inc({ upstream, reason });
    },
    retrySuppressed(upstream, reason) {
      suppressed.inc({ upstream, reason });
    },
    breakerState(upstream, value) {
      state.set({ upstream }, BREAKER_STATE_VALUE[value]);
    },
    breakerTransition(upstream, from, to) {
      transitions.inc({ upstream, from: from.toLowerCase(), to: to.toLowerCase() });
      state.set({ upstream }, BREAKER_STATE_VALUE[to]);
    },
    staleServed(route) {
      stale.inc({ route });
    },
  };
}
