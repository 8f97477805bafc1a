import type { Logger } from '@resilience/logging';
import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit, type Store } from 'express-rate-limit';

/** The policy name in the draft-8 `RateLimit` / `RateLimit-Policy` headers. */
export const RATE_LIMIT_POLICY = 'per-minute';

export interface HelloRateLimitOptions {
  /** Requests per client IP per window. */
  readonly limit: number;
  /** Window length. @default 60000 */
  readonly windowMs?: number;
  /** Where the counts live. @default a new `MemoryStore` (per process; use a shared store behind a balancer) */
  readonly store?: Store;
  /** Receives express-rate-limit's configuration warnings (`ERR_ERL_*`) instead of the console. */
  readonly logger: Logger;
}

export interface HelloRateLimit {
  readonly middleware: RequestHandler;
  /** Stops the store's timers (the memory store resets its windows on an interval). */
  close(): Promise<void>;
}

/**
 * A per-IP fixed-window limit with the IETF draft-8 headers: `RateLimit-Policy: "per-minute"; q=5; w=60` on every
 * answer, `RateLimit: "per-minute"; r=<remaining>; t=<seconds to reset>`, and `Retry-After` on a 429.
 *
 * This is where a shared limiter package would plug in; express-rate-limit is used directly here.
 */
export function createHelloRateLimit(options: HelloRateLimitOptions): HelloRateLimit {
  const store = options.store ?? new MemoryStore();
  const windowMs = options.windowMs ?? 60_000;
  const { logger, limit } = options;
  const middleware = rateLimit({
    windowMs,
    limit,
    store,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: RATE_LIMIT_POLICY,
    message: {
      error: 'rate_limited',
      message: `at most ${limit} requests per ${windowMs / 1000} s per client`,
    },
    logger: {
      error: (error, message) => logger.error({ err: error }, message ?? 'rate limiter error'),
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
    },
  });
  return {
    middleware,
    async close() {
      await store.shutdown?.();
    },
  };
}
