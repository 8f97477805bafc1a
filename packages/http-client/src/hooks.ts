/** Why the policy stopped trying and returned the last error. */
export type GiveUpReason =
  /** The failure is not transient (a 4xx other than 408/429, a bug, a non-retryable error). */
  | 'not-retryable'
  /** POST/PATCH without an `Idempotency-Key`, or a call marked not idempotent. */
  | 'not-idempotent'
  /** Every allowed attempt failed. */
  | 'retries-exhausted'
  /** The retry budget refused the retry. */
  | 'retry-budget-exhausted'
  /** The upstream's `Retry-After` asks for a wait longer than the remaining deadline. */
  | 'retry-after-exceeds-deadline'
  /** The next backoff wait would end after the deadline. */
  | 'backoff-exceeds-deadline'
  /** The upstream's breaker is open (or its half-open trial is running). */
  | 'circuit-open'
  /** The deadline expired during an attempt. */
  | 'deadline-exceeded'
  /** The caller's `AbortSignal` fired. */
  | 'aborted';

/** How one attempt ended. */
export type AttemptOutcome =
  | 'success'
  /** The attempt failed (error, timeout or non-2xx status). */
  | 'failure'
  /** The breaker refused the attempt: nothing was sent. */
  | 'rejected'
  /** The caller's signal or the deadline cut the attempt short. */
  | 'cancelled';

/** What identifies the call in every event. */
export interface CallInfo {
  /** HTTP method, or `'CALL'` for `callWithProtection`. */
  readonly method: string;
  /** URL without query string or credentials, or the `key` for `callWithProtection`. */
  readonly url: string;
  /** Breaker key: the upstream origin (`http://host:port`) or the `key` of `callWithProtection`. */
  readonly upstream: string;
  /** The request id sent as `X-Request-ID` (HTTP), or the current request context's id. */
  readonly requestId: string | undefined;
}

export interface AttemptEvent extends CallInfo {
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly durationMs: number;
  readonly outcome: AttemptOutcome;
  /** HTTP status of the response, when there was one. */
  readonly status: number | undefined;
  /** The typed error of a failed attempt. */
  readonly error: unknown;
}

export interface RetryEvent extends CallInfo {
  /** The attempt that just failed (the next one is `attempt + 1`). */
  readonly attempt: number;
  readonly delayMs: number;
  /** HTTP status (`'503'`) or error code (`'ECONNRESET'`, `'ERR_HTTP_TIMEOUT'`) that caused the retry. */
  readonly reason: string;
  /** The wait the upstream asked for with `Retry-After`, when it did. */
  readonly retryAfterMs: number | undefined;
  readonly error: unknown;
}

export interface GiveUpEvent extends CallInfo {
  readonly attempts: number;
  readonly reason: GiveUpReason;
  /** The error the caller receives. */
  readonly error: unknown;
}

/** A hedge of a call (`hedge` option): sent, won or cancelled. */
export interface HedgeEvent extends CallInfo {
  /** 0 is the primary attempt, 1.. the hedges. */
  readonly index: number;
  /** `onHedge`: how long the previous attempt had been pending when this one was sent. */
  readonly delayMs: number | undefined;
}

/** Callbacks for metrics. Each is called synchronously; one that throws is logged and ignored. */
export interface ProtectionHooks {
  readonly onAttempt?: (event: AttemptEvent) => void;
  readonly onRetry?: (event: RetryEvent) => void;
  readonly onGiveUp?: (event: GiveUpEvent) => void;
  /** A hedge was sent (attempt `index`, after `delayMs`). */
  readonly onHedge?: (event: HedgeEvent) => void;
  /** A hedge (`index` of 1 or more) answered first: the call took its answer. */
  readonly onHedgeWon?: (event: HedgeEvent) => void;
  /** Attempt `index` (the primary or a hedge) was still pending when another won, and was aborted. */
  readonly onHedgeCancelled?: (event: HedgeEvent) => void;
}
