import type { Logger } from '@resilience/logging';
import { createRateLimit, type MultiWindowStore, type RateLimitWindow } from '@resilience/rate-limit';
import type { RequestHandler } from 'express';
import type { Store } from 'express-rate-limit';
import type { RateLimitConfig } from '../config.js';
import type { MockApiMetrics, RateLimitWindow as WindowName } from '../metrics.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** The service's two windows: minute first, so a request it refuses never spends the hourly quota. */
function windowsOf(config: RateLimitConfig): RateLimitWindow[] {
  return [
    {
      name: 'minute',
      windowMs: MINUTE_MS,
      limit: config.perMinute,
      policy: 'per-minute',
      algorithm: config.algorithm,
    },
    {
      name: 'hour',
      windowMs: HOUR_MS,
      limit: config.perHour,
      policy: 'per-hour',
      algorithm: config.algorithm,
    },
  ];
}

export interface RateLimitingOptions {
  readonly config: RateLimitConfig;
  /**
   * The counting: one express-rate-limit store per window (never shared), or one multi-window store for both.
   * @default the package's memory store
   */
  readonly stores?: Readonly<Record<WindowName, Store>> | MultiWindowStore;
  readonly metrics: MockApiMetrics;
  readonly logger: Logger;
  /** Current time in ms: the windows, the reset times in the headers and `Retry-After`. */
  readonly now: () => number;
  /** Whether the stores' backend can be initialised now (Redis ready). @default () => true */
  readonly storesReady?: () => boolean;
}

export interface RateLimiting {
  /** Identify the client, apply both windows, refuse unknown API keys: mount in front of the `/api` routes. */
  readonly middleware: readonly RequestHandler[];
  /** Re-runs the per-window stores' `init` (after Redis comes back: reloads rate-limit-redis's scripts). */
  reinitializeStores(): void;
  /** Stops the stores' timers. */
  close(): Promise<void>;
}

function isMultiWindowStore(stores: RateLimitingOptions['stores']): stores is MultiWindowStore {
  return stores !== undefined && typeof (stores as MultiWindowStore).consume === 'function';
}

/**
 * The mock-api's rate limiting: `@resilience/rate-limit` configured from `RateLimitConfig` (10/min and 100/h
 * per client, API-key tiers, allowlist, store-error policy), its hooks wired to the Prometheus counters and
 * the logs.
 */
export function createRateLimiting(options: RateLimitingOptions): RateLimiting {
  const { config, metrics, logger, now, stores } = options;
  const apiKeys = new Map(
    [...config.apiKeys].map(([key, tier]) => [key, { minute: tier.perMinute, hour: tier.perHour }] as const),
  );
  const window = (name: string): WindowName => (name === 'hour' ? 'hour' : 'minute');
  const limiter = createRateLimit({
    windows: windowsOf(config),
    identify: { apiKeys, allowlist: config.allowlist },
    ...(stores === undefined ? {} : isMultiWindowStore(stores) ? { store: stores } : { stores }),
    onStoreError: config.onStoreError,
    now,
    ...(options.storesReady === undefined ? {} : { storesReady: options.storesReady }),
    hooks: {
      onReject({ req, client, window: refused, limit, retryAfterSeconds }) {
        metrics.rateLimitRejections.labels(window(refused.name)).inc();
        req.log.debug(
          { window: refused.name, limit, clientKind: client.kind, retryAfterSeconds },
          'rate limit exceeded',
        );
      },
      onStoreError({ error, window: failed, policy }) {
        metrics.rateLimitStoreErrors.labels(window(failed.name)).inc();
        logger.error(
          { err: error, window: failed.name, policy },
          policy === 'open'
            ? 'rate-limit store failed; request counted by the in-process insurance limiter'
            : 'rate-limit store failed; request refused',
        );
      },
      onInsurance({ window: insured }) {
        metrics.rateLimitInsurance.labels(window(insured.name)).inc();
      },
    },
  });
  return {
    middleware: [limiter],
    reinitializeStores: () => limiter.reinitializeStores(),
    close: () => limiter.close(),
  };
}
