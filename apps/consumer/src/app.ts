import { randomUUID } from 'node:crypto';
import { createDeadline, type Deadline, type HttpClient, upstreamKey } from '@resilience/http-client';
import { createHttpMetrics } from '@resilience/http-server';
import { httpLogger, type Logger } from '@resilience/logging';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { bodyErrorAnswer } from './body-error.js';
import { type Clock, systemClock } from './clock.js';
import type { ConsumerConfig } from './config.js';
import { createConsumerShedder } from './load-shedding.js';
import { type ConsumerMetrics, createConsumerMetrics } from './metrics.js';
import { catalogRouter } from './routes/catalog.js';
import { checkoutRouter } from './routes/checkout.js';
import { healthRouter } from './routes/health.js';
import { errorBody, type RouteContext } from './routes/route-context.js';
import { createStaleCache, type StaleCache } from './stale-cache.js';
import { createUpstreamClient } from './upstream.js';

/** What `createApp` needs from the world. Only the logger is required. */
export interface ConsumerDeps {
  readonly logger: Logger;
  /**
   * Time for deadlines and cache ages.
   * @default systemClock (Date.now and unref'ed timers)
   */
  readonly clock?: Clock;
  /**
   * Metrics, registered on their own registry; `/metrics` serves that registry.
   * @default createConsumerMetrics()
   */
  readonly metrics?: ConsumerMetrics;
  /**
   * The upstream client. Build it with `createUpstreamClient(config, { logger, metrics })` (same `metrics`)
   * so that its attempts, retries and give-ups are counted.
   * @default createUpstreamClient(config, { logger, metrics })
   */
  readonly client?: HttpClient;
  /**
   * Whether the server is draining; `/readyz` answers 503 while it is.
   * @default () => false
   */
  readonly isShuttingDown?: () => boolean;
  /**
   * Makes the idempotency key of a checkout that arrived without one.
   * @default crypto.randomUUID
   */
  readonly generateIdempotencyKey?: () => string;
}

/** The consumer, ready to be served by `listen` (it never listens itself). */
export interface ConsumerApp {
  readonly app: Express;
  readonly client: HttpClient;
  readonly metrics: ConsumerMetrics;
  /** The stale-if-error cache: upstream JSON text by upstream path. */
  readonly cache: StaleCache<string>;
  /** Stops what the app started: breaker listeners, the breakers' timers and the client's sockets. Idempotent. */
  close(): Promise<void>;
}

/** Builds the consumer's Express app: catalog and checkout through the resilient client, health, metrics. */
export function createApp(config: ConsumerConfig, deps: ConsumerDeps): ConsumerApp {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createConsumerMetrics();
  const client = deps.client ?? createUpstreamClient(config, { logger, metrics });
  const isShuttingDown = deps.isShuttingDown ?? (() => false);
  const cache = createStaleCache<string>({
    ttlMs: config.staleCacheTtlMs,
    maxEntries: config.staleCacheMaxEntries,
    clock,
  });
  const httpMetrics = createHttpMetrics({ registry: metrics.registry });
  const shedder = createConsumerShedder(config, metrics.registry);

  const breakers = client.breakers;
  if (breakers === undefined) {
    throw new TypeError(
      'deps.client must have circuit breakers (a client built with breaker: false cannot be used)',
    );
  }
  // The upstream's breaker exists from the start, so readiness and the state gauge show it before any call.
  const upstream = upstreamKey(config.upstreamUrl);
  breakers.get(upstream);
  metrics.breakerState(upstream, 'CLOSED');
  const unsubscribe = breakers.onStateChange(({ key, from, to }) => {
    metrics.breakerTransition(key, from, to);
  });

  const deadlines = new WeakMap<Request, Deadline>();
  // One deadline per inbound request on the app's clock (its timers too, so an injected clock drives it).
  const now = (): number => clock.now();
  const inboundDeadline = (): Deadline => createDeadline(config.requestDeadlineMs, { now, timers: clock });
  const context: RouteContext = {
    config,
    client,
    breakers,
    clock,
    cache,
    metrics,
    upstream,
    deadlineOf: (req) => {
      let deadline = deadlines.get(req);
      if (deadline === undefined) {
        deadline = inboundDeadline();
        deadlines.set(req, deadline);
      }
      return deadline;
    },
    breakerRetryAfterMs: () => {
      const stats = breakers.get(upstream).stats();
      return stats.state === 'OPEN' ? (stats.msUntilHalfOpen ?? undefined) : undefined;
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Every router layer costs Express a path match per request: the deadline, the request logger and the
  // metrics share one layer, and the ops routes come after the API routes, which they never overlap with.
  const logRequests = httpLogger({ logger });
  const measure = httpMetrics.middleware;
  app.use((req, res, next) => {
    const deadline = inboundDeadline();
    deadlines.set(req, deadline);
    // Its timer (armed by the first outbound call) goes with the request.
    res.once('close', () => deadline.dispose());
    logRequests(req, res, (error?: unknown) => {
      if (error !== undefined && error !== null) next(error);
      else measure(req, res, next);
    });
  });
  // After the logger and the metrics, so shed requests are logged and counted; never sheds health or metrics.
  if (shedder !== undefined) app.use(shedder.middleware);
  app.use(catalogRouter(context));
  app.use(checkoutRouter(context, deps.generateIdempotencyKey ?? randomUUID));
  app.use(healthRouter(context, isShuttingDown));
  app.get('/metrics', httpMetrics.handler);
  app.use((req, res) => {
    res.status(404).json(errorBody(req, 'not_found', `No route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler);

  let closed = false;
  return {
    app,
    client,
    metrics,
    cache,
    close() {
      if (!closed) {
        closed = true;
        unsubscribe();
        shedder?.close();
        breakers.shutdown();
        client.close();
      }
      return Promise.resolve();
    },
  };
}

/** Body parser errors get their 4xx answer (`bodyErrorAnswer`); anything else is logged and answered 500. JSON. */
const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (res.headersSent) {
    req.log.error({ err: error }, 'error after the response started');
    res.destroy();
    return;
  }
  const answer = bodyErrorAnswer(error);
  if (answer !== undefined) {
    res.status(answer.status).json(errorBody(req, answer.code, answer.message));
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  res.status(500).json(errorBody(req, 'internal_error', 'Internal server error'));
};
