import { performance } from 'node:perf_hooks';
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
  /**
   * Route label of a response that matched no route, e.g. one answered by a rate limiter or
   * an authentication middleware in front of the routes. Called only for those responses; return a
   * bounded label (a route template, or a fixed one such as `/api/*`), or `undefined` for
   * `unmatched`. Read the path from `req.originalUrl` (`req.url` may still lack a mount path). Never
   * return the raw path: its values are unbounded.
   * @default none: such responses are labelled `unmatched`
   */
  fallbackRoute?: ((req: Request, res: Response) => string | undefined) | undefined;
  /**
   * Status codes whose `http_requests_total` series are created at 0 for a method and route the first time
   * that method and route answer, so that `rate()` and `increase()` count the first errors of a route (a series
   * that appears with its first sample loses that sample to `rate()`). Only the counter: the histogram's series
   * appear with their first observation. `[]` turns it off.
   * @default [500, 502, 503, 504]
   */
  initialStatuses?: readonly number[] | undefined;
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
  initialStatuses: Object.freeze([500, 502, 503, 504]),
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
  const initialStatuses = options.initialStatuses ?? DEFAULT_HTTP_METRICS_OPTIONS.initialStatuses;
  if (
    !Array.isArray(initialStatuses) ||
    initialStatuses.some((s) => !Number.isInteger(s) || (s as number) < 100 || (s as number) > 599)
  ) {
    throw new TypeError('options.initialStatuses must be a list of HTTP status codes (integers 100-599)');
  }
  const initialStatusLabels = initialStatuses.map(statusLabel);
  if (options.fallbackRoute !== undefined && typeof options.fallbackRoute !== 'function') {
    throw new TypeError(`options.fallbackRoute must be a function, got ${describe(options.fallbackRoute)}`);
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

  const fallbackRoute = options.fallbackRoute;
  // Per instance, so two metrics middlewares on one app never share a start time.
  const START = Symbol('metricsStart');
  // One pair of label children per (method, route, status): no label object and no label lookup per request.
  const children = new Map<
    string,
    {
      readonly requests: ReturnType<typeof requests.labels>;
      readonly duration: ReturnType<typeof duration.labels>;
    }
  >();
  // The (method, route) pairs whose initial status series exist.
  const initialised = new Set<string>();
  function childrenFor(
    method: string,
    route: string,
    status: string,
  ): {
    readonly requests: ReturnType<typeof requests.labels>;
    readonly duration: ReturnType<typeof duration.labels>;
  } {
    const key = `${method} ${status} ${route}`;
    let pair = children.get(key);
    if (pair === undefined) {
      const routeKey = `${method} ${route}`;
      if (!initialised.has(routeKey)) {
        initialised.add(routeKey);
        for (const initial of initialStatusLabels) requests.labels(method, route, initial).inc(0);
      }
      pair = {
        requests: requests.labels(method, route, status),
        duration: duration.labels(method, route, status),
      };
      children.set(key, pair);
    }
    return pair;
  }

  // Shared by every response (`this` is the response): no closure and one listener per request.
  function record(this: TimedResponse): void {
    const start = this[START];
    if (start === undefined) return;
    this[START] = undefined;
    const req = this.req as Request;
    let route = routeOf(req);
    if (route === UNMATCHED_ROUTE && fallbackRoute !== undefined) {
      route = fallbackRoute(req, this) ?? UNMATCHED_ROUTE;
    }
    const status =
      this.writableFinished || this.headersSent ? statusLabel(this.statusCode) : CLIENT_CLOSED_STATUS;
    const pair = childrenFor(req.method, route, status);
    pair.requests.inc();
    pair.duration.observe((performance.now() - start) / 1000);
  }

  const middleware: RequestHandler = (req, res, next) => {
    trackRoute(req);
    (res as TimedResponse)[START] = performance.now();
    // `close` follows `finish` on every response, and comes alone when the client went away first.
    res.on('close', record);
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
 * that left the router has restored `req.baseUrl` to an outer value. So an accessor remembers the
 * base URL at assignment time. It is installed once on the app's request prototype (Express sets
 * every request's prototype to `app.request`), never on the request itself: a property defined on
 * each request object gives every request its own hidden class, which slows every later property
 * access on it. The accessor stores into the request, so reads and writes of `req.route` behave
 * as before for any other code.
 */
const ROUTE = Symbol('route');
const ROUTE_BASE = Symbol('routeBase');

interface TrackedRequest {
  baseUrl: string;
  route?: { path?: unknown } | undefined;
  [ROUTE]?: { path?: unknown } | undefined;
  [ROUTE_BASE]?: string | undefined;
}

/** A response with its start time under the metrics instance's own key. */
type TimedResponse = Response & Record<symbol, number | undefined>;

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

const tracked = new WeakSet<object>();

function trackRoute(req: Request): void {
  const proto: unknown = Object.getPrototypeOf(req);
  if (typeof proto !== 'object' || proto === null || tracked.has(proto)) return;
  tracked.add(proto);
  if (!Object.hasOwn(proto, 'route')) Object.defineProperty(proto, 'route', routeAccessor);
}

const STATUS_LABELS = new Map<number, string>();

function statusLabel(status: number): string {
  let label = STATUS_LABELS.get(status);
  if (label === undefined) {
    label = String(status);
    if (STATUS_LABELS.size < 1000) STATUS_LABELS.set(status, label);
  }
  return label;
}

const ROUTE_LABELS = new WeakMap<object, Map<string, string>>();

/** The matched route template, or {@link UNMATCHED_ROUTE}. */
function routeOf(req: Request): string {
  const request = req as unknown as TrackedRequest;
  // A route assigned while the request had another prototype (a mounted sub-app) is an own property.
  const own = Object.hasOwn(request, 'route');
  const route = own ? request.route : request[ROUTE];
  if (route === undefined || route === null || route.path === undefined) return UNMATCHED_ROUTE;
  const base = (own ? request.baseUrl : request[ROUTE_BASE]) ?? '';
  let byBase = ROUTE_LABELS.get(route);
  if (byBase === undefined) {
    byBase = new Map();
    ROUTE_LABELS.set(route, byBase);
  }
  let label = byBase.get(base);
  if (label === undefined) {
    const path = Array.isArray(route.path) ? route.path.map(String).join('|') : String(route.path);
    label = `${base}${path}` || '/';
    byBase.set(base, label);
  }
  return label;
}
