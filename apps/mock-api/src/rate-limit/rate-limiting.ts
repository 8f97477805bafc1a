import type { IncomingMessage } from 'node:http';
import type { Logger } from '@resilience/logging';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type RateLimitInfo, type RateLimitRequestHandler, rateLimit, type Store } from 'express-rate-limit';
import type { RateLimitConfig } from '../config.js';
import { isRateLimitStoreError, type RateLimitStoreError } from '../errors/rate-limit-store-error.js';
import { sendError } from '../http/send-error.js';
import type { MockApiMetrics, RateLimitWindow } from '../metrics.js';
import { createAddressList } from '../network/address-list.js';
import { type ClientIdentity, createClientResolver } from './client-identity.js';
import { GuardedStore } from './guarded-store.js';
import { appendPolicyHeaders } from './policy-headers.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

interface WindowSpec {
  readonly window: RateLimitWindow;
  readonly windowMs: number;
  /** Policy name in the draft-8 headers. */
  readonly policy: string;
  /** Where express-rate-limit puts this window's `RateLimitInfo` on the request. */
  readonly property: string;
}

const WINDOWS: Readonly<Record<RateLimitWindow, WindowSpec>> = {
  minute: { window: 'minute', windowMs: MINUTE_MS, policy: 'per-minute', property: 'rateLimitMinute' },
  hour: { window: 'hour', windowMs: HOUR_MS, policy: 'per-hour', property: 'rateLimitHour' },
};

export interface RateLimitingOptions {
  readonly config: RateLimitConfig;
  /** One store per window, never shared (express-rate-limit counts per store instance). */
  readonly stores: Readonly<Record<RateLimitWindow, Store>>;
  readonly metrics: MockApiMetrics;
  readonly logger: Logger;
  /** Current time in ms; used for the headers of the window a refused request did not reach. */
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

function infoOf(req: Request, property: string): RateLimitInfo | undefined {
  return Reflect.get(req, property) as RateLimitInfo | undefined;
}

/**
 * Two windows over every `/api` request, per client: the minute limiter runs first, so a request it refuses
 * never spends the hourly quota. Answers 429 with JSON, `Retry-After` and draft-8 `RateLimit` headers for
 * both windows; store failures follow `config.onStoreError` (`open`: the request passes, `closed`: 503).
 */
export function createRateLimiting(options: RateLimitingOptions): RateLimiting {
  const { config, metrics, logger, now } = options;
  const resolver = createClientResolver(config.apiKeys, createAddressList(config.allowlist));
  const limiterLogger = {
    warn: (error: unknown, message?: string) => logger.warn({ err: error }, message ?? 'express-rate-limit'),
    error: (error: unknown, message?: string) =>
      logger.error({ err: error }, message ?? 'express-rate-limit'),
  };
  const onStoreError = (error: RateLimitStoreError): void => {
    metrics.rateLimitStoreErrors.labels(error.window).inc();
    logger.error(
      { err: error, window: error.window, policy: config.onStoreError },
      config.onStoreError === 'open'
        ? 'rate-limit store failed; request allowed without limiting'
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
  const limiters: Partial<Record<RateLimitWindow, RateLimitRequestHandler>> = {};

  const identify: RequestHandler = (req, _res, next) => {
    req.rateLimitClient = resolver.resolve(req, req.ip);
    next();
  };

  function build(spec: WindowSpec, other: WindowSpec): RateLimitRequestHandler {
    return rateLimit({
      windowMs: spec.windowMs,
      // A plain number when every client has the same limit: one function call and await less per request.
      limit:
        config.apiKeys.size === 0
          ? limitFor({ kind: 'ip', key: '', allowlisted: false }, spec.window, config)
          : (req) => limitFor(clientOf(req), spec.window, config),
      keyGenerator: (req) => clientOf(req).key,
      skip: (req) => {
        const client = clientOf(req);
        return client.kind === 'ip' && client.allowlisted;
      },
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: spec.policy,
      requestPropertyName: spec.property,
      store: stores[spec.window],
      passOnStoreError: false,
      logger: limiterLogger,
      // X-Forwarded-For from an untrusted peer is ignored on purpose; the check would log on every request.
      validate: { xForwardedForHeader: false },
      handler: async (req: Request, res: Response) => {
        const info = infoOf(req, spec.property);
        const client = clientOf(req);
        metrics.rateLimitRejections.labels(spec.window).inc();
        // The refused request never reached the later window: describe it from its store without counting.
        if (spec.window === 'minute') {
          const otherLimiter = limiters[other.window];
          const otherInfo = await Promise.resolve(otherLimiter?.getKey(client.key)).catch(() => undefined);
          appendPolicyHeaders(
            res,
            { name: other.policy, limit: limitFor(client, other.window, config), windowMs: other.windowMs },
            client.key,
            otherInfo,
            now(),
          );
        }
        const retryAfterSeconds = Number(res.getHeader('Retry-After') ?? Math.ceil(spec.windowMs / 1000));
        req.log.debug(
          { window: spec.window, limit: info?.limit, clientKind: client.kind, retryAfterSeconds },
          'rate limit exceeded',
        );
        sendError(
          req,
          res,
          429,
          'rate_limited',
          `Rate limit exceeded: at most ${info?.limit ?? limitFor(client, spec.window, config)} requests per ${spec.window}.`,
          { retryAfterSeconds, window: spec.window },
        );
      },
    });
  }

  limiters.minute = build(WINDOWS.minute, WINDOWS.hour);
  limiters.hour = build(WINDOWS.hour, WINDOWS.minute);

  const withStorePolicy =
    (limiter: RateLimitRequestHandler): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) =>
      limiter(req, res, (error?: unknown) => {
        if (error === undefined || error === null) return next();
        if (isRateLimitStoreError(error) && config.onStoreError === 'open') return next();
        return next(error);
      });

  const rejectUnknownKey: RequestHandler = (req, res, next) => {
    if (clientOf(req).kind !== 'unknown-api-key') return next();
    sendError(req, res, 401, 'invalid_api_key', 'The X-API-Key header does not name a known API key.');
  };

  return {
    middleware: [
      identify,
      withStorePolicy(limiters.minute),
      withStorePolicy(limiters.hour),
      rejectUnknownKey,
    ],
    reinitializeStores() {
      for (const store of [stores.minute, stores.hour])
        if (store instanceof GuardedStore) store.reinitialize();
    },
    async close() {
      await Promise.all([stores.minute.shutdown?.(), stores.hour.shutdown?.()]);
    },
  };
}
