import type { StaleHit } from './stale-cache.js';
import type { UpstreamFailure } from './upstream-failure.js';

/** The reason a degraded answer gives, in the body's `reason` field. */
export type DegradedReason =
  | 'upstream_unavailable'
  | 'circuit_open'
  | 'deadline_exceeded'
  | 'upstream_rate_limited'
  | 'upstream_error'
  | 'upstream_response_too_large';

/** An answer decided for an upstream failure, written as it is by the route. */
export interface DegradedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** Retry-After sent when nothing better is known (the breaker is not open, the upstream gave none). */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

export interface ReadContext {
  readonly requestId: string;
  /** The last good response for this route, when the cache has one. */
  readonly stale: StaleHit | undefined;
  /** Time until the breaker of this upstream lets a trial through, when it is OPEN now. */
  readonly breakerRetryAfterMs: number | undefined;
}

export interface CheckoutContext {
  readonly requestId: string;
  readonly idempotencyKey: string;
  readonly breakerRetryAfterMs: number | undefined;
}

/** Seconds for a Retry-After header: rounded up, at least 1. */
export function retryAfterSeconds(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return 1;
  return Math.max(1, Math.ceil(ms / 1000));
}

function reasonOf(failure: UpstreamFailure): DegradedReason {
  switch (failure.kind) {
    case 'circuit_open':
      return 'circuit_open';
    case 'deadline_exceeded':
      return 'deadline_exceeded';
    case 'rate_limited':
      return 'upstream_rate_limited';
    case 'unavailable':
      return 'upstream_unavailable';
    case 'response_too_large':
      return 'upstream_response_too_large';
    case 'status':
      return failure.status >= 500 || failure.status === 408 ? 'upstream_unavailable' : 'upstream_error';
  }
}

/** When the caller may try again: the breaker's trial time, the upstream's Retry-After, or the default. */
function retryAfterFor(failure: UpstreamFailure, breakerRetryAfterMs: number | undefined): number {
  if (failure.kind === 'circuit_open') return retryAfterSeconds(failure.retryAfterMs);
  if (breakerRetryAfterMs !== undefined) return retryAfterSeconds(breakerRetryAfterMs);
  if ((failure.kind === 'rate_limited' || failure.kind === 'status') && failure.retryAfterMs !== undefined) {
    return retryAfterSeconds(failure.retryAfterMs);
  }
  return DEFAULT_RETRY_AFTER_SECONDS;
}

const MESSAGES: Readonly<Record<DegradedReason, string>> = {
  upstream_unavailable: 'The upstream service failed after retries; try again later.',
  circuit_open: 'The upstream service is failing; calls are paused until it is tried again.',
  deadline_exceeded: 'The upstream service did not answer within this request deadline.',
  upstream_rate_limited: 'The upstream service is rate limiting this service; try again later.',
  upstream_error: 'The upstream service refused the request.',
  upstream_response_too_large: 'The upstream service answered more data than this service accepts.',
};

/**
 * The answer of a `GET` route whose upstream call failed (never called for a 404, which is passed through):
 * the last good response when cached (200, `X-Cache: stale`, `Age`), otherwise 503 with `Retry-After` and the
 * reason. An upstream that refuses us (a 4xx other than 404 and 429) or answers a body over the size limit,
 * without a cached copy, is a 502: waiting would not change its answer.
 */
export function degradedReadResponse(failure: UpstreamFailure, context: ReadContext): DegradedResponse {
  const reason = reasonOf(failure);
  if (context.stale !== undefined) {
    return {
      status: 200,
      headers: { 'X-Cache': 'stale', Age: String(context.stale.ageSeconds), 'X-Stale-Reason': reason },
      body: context.stale.body,
    };
  }
  if (reason === 'upstream_error' || reason === 'upstream_response_too_large') {
    return {
      status: 502,
      headers: {},
      body: { error: 'bad_gateway', reason, message: MESSAGES[reason], requestId: context.requestId },
    };
  }
  return serviceUnavailable(reason, retryAfterFor(failure, context.breakerRetryAfterMs), {
    requestId: context.requestId,
  });
}

/** 503 with `Retry-After`, the reason and the ids the caller needs to retry (request id, idempotency key). */
function serviceUnavailable(
  reason: DegradedReason,
  seconds: number,
  ids: Readonly<Record<string, string>>,
): DegradedResponse {
  return {
    status: 503,
    headers: { 'Retry-After': String(seconds) },
    body: {
      error: 'service_unavailable',
      reason,
      message: MESSAGES[reason],
      retryAfterSeconds: seconds,
      ...ids,
    },
  };
}

/** Upstream refusals of a checkout that are the caller's to fix or wait for: passed through as they are. */
const PASSED_THROUGH = new Set([400, 409, 422]);

/**
 * The answer of `POST /checkout` whose upstream call failed. Every answer carries the idempotency key so the
 * caller can retry the same checkout safely:
 * - breaker open -> 503 `circuit_open` with Retry-After (nothing was sent);
 * - upstream 429 that could not be honoured -> 503 `upstream_rate_limited` with Retry-After;
 * - upstream 400, 409, 422 (unknown item, key reused with another body) -> same status;
 * - anything else (network, timeouts, 5xx after retries, deadline, a body over the size limit) -> 502: the order
 *   may or may not exist.
 */
export function degradedCheckoutResponse(
  failure: UpstreamFailure,
  context: CheckoutContext,
): DegradedResponse {
  const base = { requestId: context.requestId, idempotencyKey: context.idempotencyKey };
  if (failure.kind === 'status' && PASSED_THROUGH.has(failure.status)) {
    const upstream = isRecord(failure.body) ? failure.body : {};
    return {
      status: failure.status,
      headers: {},
      body: {
        error: typeof upstream.error === 'string' ? upstream.error : 'upstream_rejected',
        message: typeof upstream.message === 'string' ? upstream.message : MESSAGES.upstream_error,
        ...base,
      },
    };
  }
  const reason = reasonOf(failure);
  if (failure.kind === 'circuit_open' || failure.kind === 'rate_limited') {
    return serviceUnavailable(reason, retryAfterFor(failure, context.breakerRetryAfterMs), base);
  }
  return {
    status: 502,
    headers: {},
    body: {
      error: 'bad_gateway',
      reason,
      message: `${MESSAGES[reason]} The order may or may not have been created: retry with the same Idempotency-Key.`,
      ...base,
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
