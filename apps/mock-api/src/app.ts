import { randomUUID } from 'node:crypto';
import { createHttpMetrics } from '@resilience/http-server';
import { createLogger, httpLogger, type Logger } from '@resilience/logging';
import { createRedisMultiWindowStore } from '@resilience/rate-limit';
import express, { type Express } from 'express';
import type { Store } from 'express-rate-limit';
import type { Registry } from 'prom-client';
import type { MockApiConfig } from './config.js';
import { createFaultInjector, type FaultInjector } from './faults/fault-injector.js';
import { createApiRouteLabel } from './http/api-route-label.js';
import { chain } from './http/chain.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { createItemCatalogue, type Item } from './items/items.js';
import { createMockApiMetrics, type RateLimitWindow } from './metrics.js';
import { createMemoryOrderStore } from './orders/memory-order-store.js';
import type { OrderStore } from './orders/order-store.js';
import { createRedisOrderStore } from './orders/redis-order-store.js';
import type { RandomSource } from './random/seeded-random.js';
import { createRateLimiting } from './rate-limit/rate-limiting.js';
import {
  createRedisClient,
  createRedisClusterClient,
  createRedisConnection,
  type RedisClientLike,
  type RedisConnection,
  redisAddress,
} from './redis/redis-connection.js';
import { createAdminFaultsRouter } from './routes/admin-faults.js';
import { createItemsRouter } from './routes/items.js';
import { createOpsRouter } from './routes/ops.js';
import { createOrdersRouter } from './routes/orders.js';

/** Everything `createApp` touches the world through; each has a default. */
export interface MockApiDeps {
  /** @default createLogger({ level: config.logLevel, service: 'mock-api' }) */
  readonly logger?: Logger;
  /**
   * Redis client (connected or connecting; the caller keeps ownership and closes it) or a factory (the app
   * owns what it returns). Used only when `config.redis` is set.
   * @default a node-redis client for config.redis.url, owned by the app
   */
  readonly redis?: RedisClientLike | (() => RedisClientLike);
  /** Clock for order timestamps, idempotency expiry and rate-limit headers. @default Date.now */
  readonly now?: () => number;
  /** Random source of fault profiles without a seed. @default Math.random */
  readonly random?: RandomSource;
  /** Order ids. @default crypto.randomUUID */
  readonly generateId?: () => string;
  /** @default in memory, or in Redis when config.redis is set */
  readonly orderStore?: OrderStore;
  /**
   * One express-rate-limit store per window, never shared (counted one window after the other).
   * @default the package's bounded memory store for both windows, or one multi-window Redis store (one round
   * trip per request) when config.redis is set
   */
  readonly rateLimitStores?: Readonly<Record<RateLimitWindow, Store>>;
  /** Registry for every metric. @default a new Registry */
  readonly registry?: Registry;
  /** Register prom-client's default process metrics. @default true */
  readonly collectDefaultMetrics?: boolean;
  /** The catalogue. @default generateItems() */
  readonly items?: readonly Item[];
  /** Extra shutdown signal for `/readyz` (e.g. the graceful-shutdown handle's `isShuttingDown`). @default () => false */
  readonly isShuttingDown?: () => boolean;
}

/** A built (not listening) mock-api. */
export interface MockApi {
  readonly app: Express;
  readonly registry: Registry;
  readonly logger: Logger;
  /** True unless shutting down or Redis (when configured) is unreachable: what `/readyz` reports. */
  isReady(): boolean;
  /** Resolves once Redis (when configured) is ready, or rejects after `timeoutMs` (default 5000). */
  waitForRedis(timeoutMs?: number): Promise<void>;
  /** Flips `/readyz` to 503 and closes connections of held (`hang`) requests; the server then drains. */
  beginShutdown(): void;
  /** Releases what the app created: Redis client (if it owns it), store timers, held requests. Idempotent. */
  close(): Promise<void>;
}

const OPS_PATHS = ['/healthz', '/readyz', '/metrics'];

function resolveRedisClient(
  config: MockApiConfig,
  deps: MockApiDeps,
): { client: RedisClientLike; owned: boolean } | undefined {
  if (config.redis === undefined) return undefined;
  const given = deps.redis;
  if (given === undefined) {
    const { clusterNodes, url } = config.redis;
    const client =
      clusterNodes === undefined ? createRedisClient(url) : createRedisClusterClient(clusterNodes);
    return { client, owned: true };
  }
  if (typeof given === 'function') return { client: given(), owned: true };
  return { client: given, owned: false };
}

/**
 * Builds the mock-api Express app from a validated configuration (`loadConfig`). Never listens; starts
 * connecting to Redis in the background when `config.redis` is set (a Redis that is down does not fail this
 * call: `/readyz` reports it and limiting resumes when it returns).
 */
export function createApp(config: MockApiConfig, deps: MockApiDeps = {}): MockApi {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, service: 'mock-api' });
  const now = deps.now ?? Date.now;
  const httpMetrics = createHttpMetrics({
    ...(deps.registry === undefined ? {} : { registry: deps.registry }),
    collectDefaultMetrics: deps.collectDefaultMetrics ?? true,
    // 429s, 401s and injected faults are answered before routing: label them by the template they aimed at.
    fallbackRoute: createApiRouteLabel(),
  });
  const metrics = createMockApiMetrics(httpMetrics.registry);

  const redisClient = resolveRedisClient(config, deps);
  let redis: RedisConnection | undefined;
  if (redisClient !== undefined && config.redis !== undefined) {
    redis = createRedisConnection({
      ...redisClient,
      logger: logger.child({ component: 'redis' }),
      commandTimeoutMs: config.redis.commandTimeoutMs,
      address: redisAddress(config.redis.url),
    });
  }
  const prefix = config.redis?.keyPrefix ?? '';
  const send = redis?.send;

  // With Redis: both windows of a client in one script call per request, under `<prefix>rl:{client}:<window>`.
  const rateLimitStores =
    deps.rateLimitStores ??
    (send === undefined
      ? undefined
      : createRedisMultiWindowStore({
          sendCommand: (...args: string[]) => send(args),
          prefix: `${prefix}rl:`,
        }));
  const rateLimiting = createRateLimiting({
    config: config.rateLimit,
    ...(rateLimitStores === undefined ? {} : { stores: rateLimitStores }),
    metrics,
    logger,
    now,
    ...(redis === undefined ? {} : { storesReady: redis.isReady }),
  });
  redis?.onReady(() => rateLimiting.reinitializeStores());

  const orders =
    deps.orderStore ??
    (send === undefined
      ? createMemoryOrderStore({ now })
      : createRedisOrderStore({
          send,
          prefix,
          now,
          // On a cluster (masters with replicas) an order is confirmed once a replica has it: see the README.
          ...(redis?.cluster === true
            ? {
                replicas: 1,
                replicaWaitMs: Math.max(1, Math.floor((config.redis?.commandTimeoutMs ?? 2) / 2)),
              }
            : {}),
        }));

  let faults: FaultInjector | undefined;
  if (config.faults.enabled) {
    faults = createFaultInjector({
      metrics,
      logger,
      hangTimeoutMs: config.requestTimeoutMs,
      ...(deps.random === undefined ? {} : { random: deps.random }),
    });
  }

  let shuttingDown = false;
  const externalShutdown = deps.isShuttingDown ?? (() => false);
  const isShuttingDown = (): boolean => shuttingDown || externalShutdown();
  const catalogue = createItemCatalogue(deps.items);
  const app = express();
  app.disable('x-powered-by');
  app.set(
    'trust proxy',
    config.trustProxy === false || typeof config.trustProxy === 'number'
      ? config.trustProxy
      : [...config.trustProxy],
  );
  // Every router layer costs a path match (and a mounted router an URL rewrite and restore) per request: the
  // request logger and the metrics share one layer, and the ops routes come after the API routes they never
  // overlap with, so an API request does not walk through them.
  app.use(chain([httpLogger({ logger, quietPaths: OPS_PATHS }), httpMetrics.middleware]));
  if (faults !== undefined && config.faults.adminToken !== undefined) {
    app.use(createAdminFaultsRouter(faults, config.faults.adminToken));
  }
  app.use(
    '/api',
    chain(faults === undefined ? rateLimiting.middleware : [...rateLimiting.middleware, faults.middleware]),
  );
  app.use(createItemsRouter(catalogue));
  app.use(
    createOrdersRouter({
      catalogue,
      orders,
      metrics,
      logger,
      now,
      generateId: deps.generateId ?? randomUUID,
    }),
  );
  app.use(
    createOpsRouter({
      metricsHandler: httpMetrics.handler,
      redisReady: redis?.isReady,
      isShuttingDown,
    }),
  );
  app.use(notFoundHandler);
  app.use(errorHandler);

  let closed: Promise<void> | undefined;
  return {
    app,
    registry: httpMetrics.registry,
    logger,
    isReady: () => !isShuttingDown() && (redis === undefined || redis.isReady()),
    waitForRedis(timeoutMs = 5000) {
      const connection = redis;
      if (connection === undefined || connection.isReady()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          dispose();
          reject(new Error(`redis not ready after ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        const dispose = connection.onReady(() => {
          dispose();
          clearTimeout(timer);
          resolve();
        });
      });
    },
    beginShutdown() {
      shuttingDown = true;
      faults?.releaseHeld();
    },
    close() {
      closed ??= (async () => {
        shuttingDown = true;
        faults?.releaseHeld();
        await rateLimiting.close();
        await redis?.close();
      })();
      return closed;
    },
  };
}
