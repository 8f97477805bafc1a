import type { IncomingMessage } from 'node:http';
import type { Logger } from '@resilience/logging';
import type { Request, RequestHandler, Response } from 'express';
import {
  type ClientRateLimitInfo,
  type IncrementResponse,
  MemoryStore,
  type Options,
  type Store,
} from 'express-rate-limit';
import type { RateLimitConfig } from '../config.js';
import { isRateLimitStoreError, type RateLimitStoreError } from '../errors/rate-limit-store-error.js';
import { sendError } from '../http/send-error.js';
import type { MockApiMetrics, RateLimitWindow } from '../metrics.js';
import { createAddressList } from '../network/address-list.js';
import { type ClientIdentity, createClientResolver } from './client-identity.js';
import { GuardedStore } from './guarded-store.js';
import { createPartitionKeyCache, PolicyHeaders } from './policy-headers.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

interface WindowSpec {
  readonly window: RateLimitWindow;
  readonly windowMs: number;
  /** Policy name in the draft-8 headers. */
  readonly policy: string;
}

const WINDOWS: Readonly<Record<RateLimitWindow, WindowSpec>> = {
  minute: { window: 'minute', windowMs: MINUTE_MS, policy: 'per-minute' },
  hour: { window: 'hour', windowMs: HOUR_MS, policy: 'per-hour' },
};

export interface RateLimitingOptions {
  readonly config: RateLimitConfig;
  /** One store per window, never shared (a store counts one window). */
  readonly stores: Readonly<Record<RateLimitWindow, Store>>;
  readonly metrics: MockApiMetrics;
  readonly logger: Logger;
  /** Current time in ms: the reset times in the headers and `Retry-After`. */
  readonly now: () => number;
  /** Whether the stores' backend can be initialised now (Redis ready). @default () => true */
  readonly storesReady?: () => boolean;
}

export interface RateLimiting {
  /** Identify the client, apply both windows, refuse unknown API keys: mount in front of the `/api` routes. */
  readonly middleware: readonly RequestHandler[];
  /** Re-runs both stores' `init` (after Redis comes back: reloads rate-limit-redis's scripts). */
  reinitializeStores(): void;
  /** Stops the stores' timers. */
  close(): Promise<void>;
}

function clientOf(req: IncomingMessage): ClientIdentity {
  const client = req.rateLimitClient;
  if (client === undefined) throw new Error('rate limiting: client identity middleware did not run');
  return client;
}

function limitFor(client: ClientIdentity, window: RateLimitWindow, config: RateLimitConfig): number {
  if (client.kind === 'api-key') return window === 'minute' ? client.tier.perMinute : client.tier.perHour;
  return window === 'minute' ? config.perMinute : config.perHour;
}

/**
 * Two windows over every `/api` request, per client, in one middleware: the minute window is counted first
 * and a request it refuses never spends the hourly quota. Answers 429 with JSON, `Retry-After` and draft-8
 * `RateLimit` / `RateLimit-Policy` headers for both windows (one named policy each, as express-rate-limit
 * writes them); store failures follow `config.onStoreError` (`closed`: 503; `open`: the request is counted by an
 * in-process insurance limiter instead, with the same limits, so a failing store never means "unlimited").
 *
 * The counting is express-rate-limit's (its `MemoryStore`, or rate-limit-redis' `RedisStore`); the two
 * `rateLimit()` middlewares it would take are replaced by this single pass: two store calls and two header
 * writes per request instead of about twenty awaited promises, four appended headers and two hashes.
 */
export function createRateLimiting(options: RateLimitingOptions): RateLimiting {
  const { config, metrics, logger, now } = options;
  if (options.stores.minute === options.stores.hour) {
    throw new TypeError('createRateLimiting: stores.minute and stores.hour must be two different stores');
  }
  const resolver = createClientResolver(config.apiKeys, createAddressList(config.allowlist));
  const onStoreError = (error: RateLimitStoreError): void => {
    metrics.rateLimitStoreErrors.labels(error.window).inc();
    logger.error(
      { err: error, window: error.window, policy: config.onStoreError },
      config.onStoreError === 'open'
        ? 'rate-limit store failed; request counted by the in-process insurance limiter'
        : 'rate-limit store failed; request refused',
    );
  };
  const canInitialize = options.storesReady ?? (() => true);
  // A store with local keys (memory) has no backend that can fail or come back: it needs no guard.
  const guard = (store: Store, window: RateLimitWindow): Store =>
    store.localKeys === true
      ? store
      : new GuardedStore(store, { window, onError: onStoreError, canInitialize });
  const stores = { minute: guard(options.stores.minute, 'minute'), hour: guard(options.stores.hour, 'hour') };
  for (const spec of [WINDOWS.minute, WINDOWS.hour]) initStore(stores[spec.window], spec, logger);
  const rejections = {
    minute: metrics.rateLimitRejections.labels('minute'),
    hour: metrics.rateLimitRejections.labels('hour'),
  };
  const partitionKeys = createPartitionKeyCache();
  // The insurance limiter (policy open): express-rate-limit's MemoryStore per window, in this process, used only
  // for requests whose shared store failed. Bounded: it forgets every client at the end of each window.
  const insurance = { minute: new MemoryStore(), hour: new MemoryStore() };
  insurance.minute.init({ windowMs: MINUTE_MS } as Options);
  insurance.hour.init({ windowMs: HOUR_MS } as Options);
  const insured = {
    minute: metrics.rateLimitInsurance.labels('minute'),
    hour: metrics.rateLimitInsurance.labels('hour'),
  };

  /** The count after this request: from the store, or from the insurance limiter when it failed under `open`. */
  async function count(spec: WindowSpec, key: string): Promise<IncrementResponse> {
    try {
      return await stores[spec.window].increment(key);
    } catch (error) {
      if (!isRateLimitStoreError(error) || config.onStoreError !== 'open') throw error;
      insured[spec.window].inc();
      return insurance[spec.window].increment(key);
    }
  }

  async function peek(store: Store, key: string): Promise<ClientRateLimitInfo | undefined> {
    try {
      return await store.get?.(key);
    } catch {
      return undefined;
    }
  }

  function refuse(
    req: Request,
    res: Response,
    spec: WindowSpec,
    client: ClientIdentity,
    limit: number,
    retryAfterSeconds: number,
  ): void {
    rejections[spec.window].inc();
    req.log.debug(
      { window: spec.window, limit, clientKind: client.kind, retryAfterSeconds },
      'rate limit exceeded',
    );
    if (!res.headersSent) res.setHeader('Retry-After', String(retryAfterSeconds));
    sendError(
      req,
      res,
      429,
      'rate_limited',
      `Rate limit exceeded: at most ${limit} requests per ${spec.window}.`,
      {
        retryAfterSeconds,
        window: spec.window,
      },
    );
  }

  async function limit(req: Request, res: Response): Promise<boolean> {
    const client = clientOf(req);
    if (client.allowlisted) return true;
    const key = client.key;
    const minuteLimit = limitFor(client, 'minute', config);
    const hourLimit = limitFor(client, 'hour', config);
    const headers = new PolicyHeaders(partitionKeys.get(key), now);

    const minute = await count(WINDOWS.minute, key);
    const minuteRetryAfter = headers.add(WINDOWS.minute, minuteLimit, minute);
    if (minute.totalHits > minuteLimit) {
      // The refused request never reaches the hourly window: describe it from its store without counting.
      headers.add(WINDOWS.hour, hourLimit, await peek(stores.hour, key));
      headers.write(res);
      refuse(req, res, WINDOWS.minute, client, minuteLimit, minuteRetryAfter);
      return false;
    }
    const hour = await count(WINDOWS.hour, key);
    const hourRetryAfter = headers.add(WINDOWS.hour, hourLimit, hour);
    if (hour.totalHits > hourLimit) {
      headers.write(res);
      refuse(req, res, WINDOWS.hour, client, hourLimit, hourRetryAfter);
      return false;
    }
    headers.write(res);
    return true;
  }

  const identifyAndLimit: RequestHandler = (req, res, next) => {
    req.rateLimitClient = resolver.resolve(req, req.ip);
    limit(req, res).then(
      (pass) => {
        if (pass) next();
      },
      (error: unknown) => next(error),
    );
  };

  const rejectUnknownKey: RequestHandler = (req, res, next) => {
    if (clientOf(req).kind !== 'unknown-api-key') return next();
    sendError(req, res, 401, 'invalid_api_key', 'The X-API-Key header does not name a known API key.');
  };

  return {
    middleware: [identifyAndLimit, rejectUnknownKey],
    reinitializeStores() {
      for (const store of [stores.minute, stores.hour])
        if (store instanceof GuardedStore) store.reinitialize();
    },
    async close() {
      insurance.minute.shutdown();
      insurance.hour.shutdown();
      await Promise.all([stores.minute.shutdown?.(), stores.hour.shutdown?.()]);
    },
  };
}

/** Runs a store's `init` with its window, as express-rate-limit would; a failure is logged, not thrown. */
function initStore(store: Store, spec: WindowSpec, logger: Logger): void {
  if (store.init === undefined) return;
  const report = (error: unknown): void =>
    logger.error({ err: error, window: spec.window }, 'rate-limit store initialisation failed');
  try {
    const result = store.init({ windowMs: spec.windowMs } as Options);
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}
