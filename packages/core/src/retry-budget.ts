import type { ResolvedRetryBudgetOptions } from './options.js';

/** Counts calls and retries over a sliding window and refuses retries beyond the ratio (Envoy, Finagle). */
export interface RetryBudget {
  /** Records one logical call (not one attempt). */
  recordCall(): void;
  /** Takes one retry from the budget: `true` if the retry may be made, `false` if the budget refuses it. */
  tryAcquireRetry(): boolean;
  /** Calls and retries counted in the current window, and how many retries the window allows. */
  snapshot(): RetryBudgetSnapshot;
}

export interface RetryBudgetSnapshot {
  readonly calls: number;
  readonly retries: number;
  readonly allowedRetries: number;
}

/** The window is kept as this many buckets: memory stays constant whatever the traffic. */
const BUCKETS = 10;

interface Bucket {
  /** Index of the bucket's time slice (`floor(now / bucketMs)`); -1 when unused. */
  slice: number;
  calls: number;
  retries: number;
}

/**
 * A retry budget over a sliding window of `windowMs`, kept in 10 buckets (so a count leaves the window
 * between 0.9 and 1.0 windowMs after it was made). A retry is allowed while the retries in the window are
 * below `max(minRetriesPerWindow, floor(ratio * calls))`.
 */
export function createRetryBudget(options: ResolvedRetryBudgetOptions, now: () => number): RetryBudget {
  const bucketMs = options.windowMs / BUCKETS;
  const buckets: Bucket[] = Array.from({ length: BUCKETS }, () => ({ slice: -1, calls: 0, retries: 0 }));

  function current(): Bucket {
    const slice = Math.floor(now() / bucketMs);
    // biome-ignore lint/style/noNonNullAssertion: the index is always within the fixed-size array.
    const bucket = buckets[slice % BUCKETS]!;
    if (bucket.slice !== slice) {
      bucket.slice = slice;
      bucket.calls = 0;
      bucket.retries = 0;
    }
    return bucket;
  }

  function totals(): { calls: number; retries: number } {
    const oldest = Math.floor(now() / bucketMs) - BUCKETS + 1;
    let calls = 0;
    let retries = 0;
    for (const bucket of buckets) {
      if (bucket.slice >= oldest) {
        calls += bucket.calls;
        retries += bucket.retries;
      }
    }
    return { calls, retries };
  }

  function allowed(calls: number): number {
    return Math.max(options.minRetriesPerWindow, Math.floor(options.ratio * calls));
  }

  return {
    recordCall() {
      current().calls += 1;
    },
    tryAcquireRetry() {
      const bucket = current();
      const { calls, retries } = totals();
      if (retries >= allowed(calls)) return false;
      bucket.retries += 1;
      return true;
    },
    snapshot() {
      const { calls, retries } = totals();
      return { calls, retries, allowedRetries: allowed(calls) };
    },
  };
}
