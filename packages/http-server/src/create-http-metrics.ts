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
  if (withDefaults) collectDefaultMetrics({ register: registry });

  const middleware: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
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

/** The matched route template, or {@link UNMATCHED_ROUTE}. */
function routeOf(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route === undefined || route.path === undefined) return UNMATCHED_ROUTE;
  const path = Array.isArray(route.path) ? route.path.map(String).join('|') : String(route.path);
  return `${req.baseUrl}${path}` || '/';
}
