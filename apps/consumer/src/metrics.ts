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

/** Label values of `circuit_breaker_in_state{state}`, one series per state. */
export const BREAKER_STATE_LABELS: Readonly<Record<BreakerStateName, string>> = {
  CLOSED: 'closed',
  HALF_OPEN: 'half_open',
  OPEN: 'open',
};

/** The outcomes of `upstream_requests_total{outcome}`, each series created at 0 for every upstream. */
export const UPSTREAM_OUTCOMES = [
  'success',
  'http_4xx',
  'rate_limited',
  'http_5xx',
  'timeout',
  'network_error',
  'response_too_large',
  'circuit_open',
  'cancelled',
] as const;

/** The reasons of `upstream_retries_suppressed_total{reason}`. */
export const SUPPRESSED_RETRY_REASONS: readonly SuppressedRetryReason[] = [
  'budget',
  'deadline',
  'non_idempotent',
];

/**
 * The retry reasons created at 0 in `upstream_retries_total{reason}` for every upstream: the statuses and error
 * codes the client retries most. Other reasons (any code the client reports) still count; their series appear
 * at their first retry.
 */
export const COMMON_RETRY_REASONS = [
  '502',
  '503',
  '504',
  '429',
  'ECONNRESET',
  'ECONNREFUSED',
  'ERR_HTTP_TIMEOUT',
];

/** The transitions a breaker can make (`from`, `to`, lower case). */
export const BREAKER_TRANSITIONS: readonly (readonly [string, string])[] = [
  ['closed', 'open'],
  ['open', 'half_open'],
  ['half_open', 'closed'],
  ['half_open', 'open'],
];

/** The consumer's routes that may serve a stale copy (`stale_responses_total{route}`). */
export const STALE_ROUTES = ['/catalog', '/catalog/:id'];

export interface ConsumerMetricsOptions {
  /** Registry to register on; the app's own registry, never the global one. @default a new Registry */
  readonly registry?: Registry;
  /**
   * Routes whose `stale_responses_total` series start at 0, so `rate()` sees the first stale answer.
   * @default STALE_ROUTES (`/catalog`, `/catalog/:id`)
   */
  readonly staleRoutes?: readonly string[];
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
  /** A hedged request was sent, won (answered first) or cancelled (was pending when another won). */
  hedge(upstream: string, event: HedgeMetricEvent): void;
}

/** The `event` label of `upstream_hedges_total`. */
export type HedgeMetricEvent = 'sent' | 'won' | 'cancelled';
const HEDGE_EVENTS: readonly HedgeMetricEvent[] = ['sent', 'won', 'cancelled'];

const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/**
 * Creates and registers the consumer's metrics. Label values of breaker states are lower case. Every counter
 * series with a known label set starts at 0: the stale routes at creation, and everything about an upstream
 * (outcomes, common retry reasons, suppressed reasons, transitions, the per-state gauge) the first time the
 * upstream is named, which the app does at start with `breakerState(upstream, 'CLOSED')`. So `rate()` and
 * `increase()` see the first event, and alerts have a series to read from the first scrape.
 */
export function createConsumerMetrics(options: ConsumerMetricsOptions = {}): ConsumerMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];

  const upstreamRequests = new Counter({
    name: 'upstream_requests_total',
    help: 'Upstream attempts by upstream origin and outcome (success, http_4xx, rate_limited, http_5xx, timeout, network_error, response_too_large, circuit_open, cancelled).',
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
  const hedges = new Counter({
    name: 'upstream_hedges_total',
    help: 'Hedged upstream requests by event: sent (a hedge went out), won (a hedge answered first), cancelled (an attempt was pending when another won, and was aborted).',
    labelNames: ['upstream', 'event'] as const,
    registers,
  });
  const inState = new Gauge({
    name: 'circuit_breaker_in_state',
    help: 'Circuit breaker state of each upstream as one series per state: 1 for the current state (closed, half_open, open), 0 for the others.',
    labelNames: ['upstream', 'state'] as const,
    registers,
  });
  for (const route of options.staleRoutes ?? STALE_ROUTES) stale.labels(route).inc(0);

  const knownUpstreams = new Set<string>();
  /** Creates every series of a new upstream at 0 (the breaker closed). */
  function know(upstream: string): void {
    if (knownUpstreams.has(upstream)) return;
    knownUpstreams.add(upstream);
    for (const outcome of UPSTREAM_OUTCOMES) upstreamRequests.labels(upstream, outcome).inc(0);
    for (const reason of COMMON_RETRY_REASONS) retries.labels(upstream, reason).inc(0);
    for (const reason of SUPPRESSED_RETRY_REASONS) suppressed.labels(upstream, reason).inc(0);
    for (const [from, to] of BREAKER_TRANSITIONS) transitions.labels(upstream, from, to).inc(0);
    for (const event of HEDGE_EVENTS) hedges.labels(upstream, event).inc(0);
    setState(upstream, 'CLOSED');
  }
  function setState(upstream: string, value: BreakerStateName): void {
    state.set({ upstream }, BREAKER_STATE_VALUE[value]);
    for (const name of Object.keys(BREAKER_STATE_LABELS) as BreakerStateName[]) {
      inState.set({ upstream, state: BREAKER_STATE_LABELS[name] }, name === value ? 1 : 0);
    }
  }

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
      know(upstream);
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
      know(upstream);
      retries.inc({ upstream, reason });
    },
    retrySuppressed(upstream, reason) {
      know(upstream);
      suppressed.inc({ upstream, reason });
    },
    breakerState(upstream, value) {
      know(upstream);
      setState(upstream, value);
    },
    breakerTransition(upstream, from, to) {
      know(upstream);
      transitions.inc({ upstream, from: from.toLowerCase(), to: to.toLowerCase() });
      setState(upstream, to);
    },
    hedge(upstream, event) {
      know(upstream);
      hedges.inc({ upstream, event });
    },
    staleServed(route) {
      stale.inc({ route });
    },
  };
}
