import {
  type AttemptEvent,
  createHttpClient,
  type GiveUpEvent,
  type HttpClient,
  type HttpClientOptions,
  isCircuitOpenError,
  isDeadlineExceededError,
  isHttpStatusError,
  isNetworkError,
  isResponseTooLargeError,
  isTimeoutError,
} from '@resilience/http-client';
import type { Logger } from '@resilience/logging';
import type { ConsumerConfig } from './config.js';
import type { ConsumerMetrics, SuppressedRetryReason } from './metrics.js';
import type { UpstreamFailure } from './upstream-failure.js';

export interface UpstreamClientDeps {
  readonly logger: Logger;
  readonly metrics: ConsumerMetrics;
  /**
   * Changes applied over the options derived from the configuration (tests pin the jitter, for example).
   * @default {}
   */
  readonly overrides?: Partial<HttpClientOptions>;
}

/** Give-up reasons of the client that mean a retryable failure was not retried, and what the metric calls them. */
const SUPPRESSED: Readonly<Partial<Record<GiveUpEvent['reason'], SuppressedRetryReason>>> = {
  'retry-budget-exhausted': 'budget',
  'retry-after-exceeds-deadline': 'deadline',
  'backoff-exceeds-deadline': 'deadline',
  'deadline-exceeded': 'deadline',
  'not-idempotent': 'non_idempotent',
};

/**
 * Axios settings of every upstream call. Redirects are not followed: mock-api never redirects, and following one
 * would send the `X-API-Key` to whatever host it names and step outside the breaker of the upstream's origin
 * (a 3xx is then an upstream error).
 */
export const UPSTREAM_REQUEST_DEFAULTS = Object.freeze({ maxRedirects: 0 });

/** The label of one attempt in `upstream_requests_total{outcome}`. */
export function attemptOutcome(event: AttemptEvent): string {
  switch (event.outcome) {
    case 'success':
      return 'success';
    case 'rejected':
      return 'circuit_open';
    case 'cancelled':
      return 'cancelled';
    case 'failure':
      if (event.status !== undefined) {
        if (event.status === 429) return 'rate_limited';
        return event.status >= 500 ? 'http_5xx' : 'http_4xx';
      }
      if (isTimeoutError(event.error)) return 'timeout';
      if (isResponseTooLargeError(event.error)) return 'response_too_large';
      if (isNetworkError(event.error)) return 'network_error';
      return 'error';
  }
}

/** The options of the consumer's upstream client, from the configuration, with the metrics hooks wired in. */
export function upstreamClientOptions(config: ConsumerConfig, deps: UpstreamClientDeps): HttpClientOptions {
  const { metrics, logger } = deps;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (config.upstreamApiKey !== undefined) headers['X-API-Key'] = config.upstreamApiKey;
  return {
    baseURL: config.upstreamUrl,
    headers,
    timeoutMs: config.upstreamTimeoutMs,
    deadlineMs: config.requestDeadlineMs,
    maxResponseBytes: config.upstreamMaxBodyBytes,
    retry: { retries: config.retryMax, baseDelayMs: config.retryBaseMs },
    breaker: { failureThreshold: config.breakerFailureThreshold, resetTimeoutMs: config.breakerResetMs },
    logger,
    hedge:
      config.upstreamHedge === 'off'
        ? false
        : {
            delayMs: config.upstreamHedge,
            maxAttempts: config.upstreamHedgeMaxAttempts,
            maxExtraRatio: config.upstreamHedgeMaxExtraRatio,
          },
    hooks: {
      onAttempt: (event) => {
        // A rejected attempt sent nothing: it is counted, but it has no duration worth a histogram sample.
        metrics.observeUpstreamAttempt(
          event.upstream,
          attemptOutcome(event),
          event.outcome === 'rejected' ? undefined : event.durationMs,
        );
      },
      onRetry: (event) => metrics.retried(event.upstream, event.reason),
      onHedge: (event) => metrics.hedge(event.upstream, 'sent'),
      onHedgeWon: (event) => metrics.hedge(event.upstream, 'won'),
      onHedgeCancelled: (event) => metrics.hedge(event.upstream, 'cancelled'),
      onGiveUp: (event) => {
        const suppressed = SUPPRESSED[event.reason];
        if (suppressed !== undefined) metrics.retrySuppressed(event.upstream, suppressed);
      },
    },
    ...deps.overrides,
  };
}

/** The resilient client the consumer calls mock-api with: retries, breaker, deadline, metrics. */
export function createUpstreamClient(config: ConsumerConfig, deps: UpstreamClientDeps): HttpClient {
  return createHttpClient(upstreamClientOptions(config, deps));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Reduces an error from an upstream call to what decides the answer, or `undefined` when it is not an upstream
 * failure at all (a bug: let it reach the error handler).
 */
export function classifyUpstreamError(error: unknown): UpstreamFailure | undefined {
  if (isCircuitOpenError(error)) return { kind: 'circuit_open', retryAfterMs: error.retryAfterMs };
  if (isDeadlineExceededError(error)) return { kind: 'deadline_exceeded' };
  if (isHttpStatusError(error)) {
    if (error.status === 429) return { kind: 'rate_limited', retryAfterMs: error.retryAfterMs };
    const failure = { kind: 'status', status: error.status, body: parseJson(error.body) } as const;
    return error.retryAfterMs === undefined ? failure : { ...failure, retryAfterMs: error.retryAfterMs };
  }
  if (isResponseTooLargeError(error)) return { kind: 'response_too_large', limitBytes: error.limitBytes };
  if (isTimeoutError(error)) return { kind: 'unavailable', code: error.code };
  if (isNetworkError(error)) return { kind: 'unavailable', code: error.systemCode ?? error.code };
  return undefined;
}
