/** Why a call did not get a slot. */
export type ConcurrencyLimitReason =
  /** Every slot was taken and the limiter does not queue (`maxQueue: 0`). */
  | 'limit'
  /** Every slot was taken and the queue was full of calls of the same or higher priority. */
  | 'queue-full'
  /** The call waited `maxWaitMs` in the queue without getting a slot. */
  | 'timeout'
  /** The call was queued, then pushed out of a full queue by a call of higher priority. */
  | 'displaced'
  /** The limiter was closed while the call waited. */
  | 'closed';

/** Details carried by a {@link ConcurrencyLimitError}. */
export interface ConcurrencyLimitErrorDetails {
  readonly reason: ConcurrencyLimitReason;
  /** The concurrency limit when the call was refused. */
  readonly limit: number;
  /** Calls holding a slot when the call was refused. */
  readonly inFlight: number;
  /** A hint for the caller: try again after this many milliseconds. */
  readonly retryAfterMs: number;
}

/** A call refused by a concurrency limiter: over the limit and not admitted in time. Code `ERR_CONCURRENCY_LIMIT`. */
export class ConcurrencyLimitError extends Error {
  override readonly name = 'ConcurrencyLimitError';
  readonly code = 'ERR_CONCURRENCY_LIMIT' as const;
  readonly reason: ConcurrencyLimitReason;
  readonly limit: number;
  readonly inFlight: number;
  readonly retryAfterMs: number;

  constructor(details: ConcurrencyLimitErrorDetails) {
    super(
      `Concurrency limit reached (${details.reason}): ${details.inFlight} in flight, limit ${details.limit}; retry after ${details.retryAfterMs} ms`,
    );
    this.reason = details.reason;
    this.limit = details.limit;
    this.inFlight = details.inFlight;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Whether `error` is a {@link ConcurrencyLimitError} (also across copies of this package, by its code). */
export function isConcurrencyLimitError(error: unknown): error is ConcurrencyLimitError {
  return (
    error instanceof ConcurrencyLimitError ||
    (error instanceof Error && (error as { code?: unknown }).code === 'ERR_CONCURRENCY_LIMIT')
  );
}
