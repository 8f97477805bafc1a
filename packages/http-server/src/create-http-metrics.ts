import type { Request, RequestHandler, Response } from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { describe } from './validation.js';

/** Options of {@link createHttpMetrics}. */
export interface HttpMetricsOptions {
  /**
   * Registry the metrics are registered on. Each call creates its own by default (never
   * prom-client's global one), so a process or a test can build many apps.
   * @default new Registry()
   */
  registry?: Registry | undefined;
  /**
   * Also register prom-client's default process metrics (CPU, memory, event loop lag, GC, ...)
   * on the registry.
   * @default true
   */
  collectDefaultMetrics?: boolean | undefined;
  /**
   * Upper bounds (seconds) of the `http_request_duration_seconds` buckets, strictly increasing.
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30]
   */
  buckets?: readonly number[] | undefined;
}

/** What {@link createHttpMetrics} returns. */
export interface HttpMetrics {
  /** The registry holding the HTTP metrics; register your own metrics on it too. */
  readonly registry: Registry;
  /** Records one observation per response. Mount it first: `app.use(metrics.middleware)`. */
  readonly middleware: RequestHandler;
  /** Serves the registry in the Prometheus text format: `app.get('/metrics', metrics.handler)`. */
  readonly handler: RequestHandler;
}

export const DEFAULT_HTTP_METRICS_OPTIONS = Object.freeze({
  collectDefaultMetrics: true,
  buckets: Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30]),
});

/** Route label of requests that matched no route (404s): never the raw path, which is unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Status label of a response the client abandoned before it was sent (nginx's convention). */
export const CLIENT_CLOSED_STATUS = '499';

/**
 * prom-client default metrics that `promtool check metrics` rejects (gauges named `_total`).
 * They are removed; the per-type gauges `nodejs_active_handles`, `nodejs_active_requests` and
 * `nodejs_active_resources` carry the same information.
 */
export const LINT_FAILING_DEFAULT_METRICS: readonly string[] = Object.freeze([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

const LABELS = ['method', 'route', 'status'] as const;

/**
 * Prometheus metrics for an Express app: `http_requests_total{method,route,status}` and
 * `http_request_duration_seconds{method,route,status}`, where `route` is the matched route
 * template (`req.baseUrl + req.route.path`, e.g. `/api/items/:id`) or `unmatched`.
 */
export function createHttpMetrics(options: HttpMetricsOptions = {}): HttpMetrics {
  const registry = options.registry ?? new Registry();
  const withDefaults = options.collectDefaultMetrics ?? DEFAULT_HTTP_METRICS_OPTIONS.collectDefaultMetrics;
  const buckets = [...(options.buckets ?? DEFAULT_HTTP_METRICS_OPTIONS.buckets)];
  if (!(registry instanceof Registry)) {
    throw new TypeError(`options.registry must be a prom-client Registry, got ${describe(registry)}`);
  }
  if (typeof withDefaults !== 'boolean') {
    throw new TypeError(`options.collectDefaultMetrics must be a boolean, got ${describe(withDefaults)}`);
  }
  if (
    buckets.length === 0 ||
    buckets.some(
      (b, i) =>
        typeof b !== 'number' || !Number.isFinite(b) || b <= 0 || (i > 0 && b <= (buckets[i - 1] ?? 0)),
    )
  ) {
    throw new TypeError('options.buckets must be a non-empty, strictly increasing list of positive numbers');
  }

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: LABELS,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to finishing its response, by method, route template and status code.',
    labelNames: LABELS,
    buckets,
    registers: [registry],
  });
  if (withDefaults) {
    collectDefaultMetrics({ register: registry });
    for (const name of LINT_FAILING_DEFAULT_METRICS) registry.removeSingleMetric(name);
  }

  const middleware: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
    trackRoute(req);
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      res.removeListener('finish', record);
      res.removeListener('close', record);
      const labels = {
        method: req.method,
        route: routeOf(req),
        status: res.writableFinished || res.headersSent ? String(res.statusCode) : CLIENT_CLOSED_STATUS,
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };

  const handler: RequestHandler = async (_req: Request, res: Response) => {
    const body = await registry.metrics();
    res.setHeader('Content-Type', registry.contentType);
    res.end(body);
  };

  return { registry, middleware, handler };
}

/*
 * Express's router assigns `req.route` when a route matches, while `req.baseUrl` still holds the
 * mount path of that route's router; by the time the response finishes, an error or a `next()`
 * that left the router has restored `req.baseUrl` to an outer value. So the middleware installs
 * an accessor that remembers the base URL at assignment time. The accessor functions are shared
 * by every request (one hidden-class transition, not one per request).
 */
const ROUTE = Symbol('route');
const ROUTE_BASE = Symbol('routeBase');

interface TrackedRequest {
  baseUrl: string;
  [ROUTE]?: { path?: unknown } | undefined;
  [ROUTE_BASE]?: string | undefined;
}

const routeAccessor: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: TrackedRequest) {
    return this[ROUTE];
  },
  set(this: TrackedRequest, value: { path?: unknown } | undefined) {
    this[ROUTE] = value;
    this[ROUTE_BASE] = this.baseUrl;
  },
};

function trackRoute(req: Request): void {
  const current = (req as { route?: unknown }).route;
  Object.defineProperty(req, 'route', routeAccessor);
  if (current !== undefined) (req as { route?: unknown }).route = current;
}

/** The matched route template, or {@link UNMATCHED_ROUTE}. */
function routeOf(req: Request): string {
  const tracked = req as unknown as TrackedRequest;
  const route = tracked[ROUTE];
  if (route === undefined || route === null || route.path === undefined) return UNMATCHED_ROUTE;
  const path = Array.isArray(route.path) ? route.path.map(String).join('|') : String(route.path);
  return `${tracked[ROUTE_BASE] ?? ''}${path}` || '/';
}
