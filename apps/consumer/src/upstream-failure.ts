/**
 * Why an upstream call finally failed, reduced to what decides the consumer's answer. Produced from the
 * http-client's typed errors by `classifyUpstreamError` (upstream.ts).
 */
export type UpstreamFailure =
  /** The breaker is OPEN (or HALF_OPEN with its trial in flight): no request was sent. */
  | { readonly kind: 'circuit_open'; readonly retryAfterMs: number }
  /** The inbound request's deadline ran out before the upstream answered. */
  | { readonly kind: 'deadline_exceeded' }
  /** The upstream answered 429 and its Retry-After could not be honoured within the deadline. */
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number | undefined }
  /** The upstream answered a status that is not retried or ran out of retries (4xx other than 429, 5xx). */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body: unknown;
      readonly retryAfterMs?: number;
    }
  /** The upstream answered a body over `UPSTREAM_MAX_BODY_BYTES`: not read to its end, not retried. */
  | { readonly kind: 'response_too_large'; readonly limitBytes: number }
  /** Network errors and attempt timeouts after the last retry. */
  | { readonly kind: 'unavailable'; readonly code: string };

export type UpstreamFailureKind = UpstreamFailure['kind'];
