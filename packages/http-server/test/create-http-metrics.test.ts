import { request as httpRequest } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { Counter, Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createHttpMetrics, type HttpMetrics } from '../src/create-http-metrics.js';
import { listen } from '../src/listen.js';
import { deferred } from './helpers/deferred.js';
import { memoryLogger } from './helpers/log-lines.js';
import { promtoolCheckMetrics, skipWithoutPromtool } from './helpers/promtool.js';

function buildApp(metrics: HttpMetrics): Express {
  const app = express();
  app.use(metrics.middleware);
  const api = express.Router();
  api.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  api.get('/broken', () => {
    throw new Error('handler failed');
  });
  api.get('/rejects/:id', async () => {
    throw new Error('async handler failed');
  });
  app.use('/api', api);
  app.get('/', (_req, res) => {
    res.send('home');
  });
  app.get('/metrics', metrics.handler);
  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: 'internal' });
  });
  return app;
}

async function metricsText(app: Express): Promise<string> {
  const res = await request(app).get('/metrics').expect(200);
  return res.text;
}

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('createHttpMetrics', () => {
  it('creates the 5xx series of a route at 0 when the route first answers', async () => {
    const app = buildApp(createHttpMetrics({ collectDefaultMetrics: false }));
    let text = await metricsText(app);
    expect(
      sample(text, 'http_requests_total', 'method="GET",route="/api/items/:id",status="500"'),
    ).toBeUndefined();
    await request(app).get('/api/items/1').expect(200);
    text = await metricsText(app);
    for (const status of ['500', '502', '503', '504']) {
      expect(
        sample(text, 'http_requests_total', `method="GET",route="/api/items/:id",status="${status}"`),
      ).toBe(0);
    }
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/items/:id",status="200"')).toBe(1);
    await request(app).get('/api/broken').expect(500);
    text = await metricsText(app);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/broken",status="500"')).toBe(1);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/broken",status="503"')).toBe(0);
  });

  it('creates only the initial statuses it is given, none with []', async () => {
    const some = buildApp(createHttpMetrics({ collectDefaultMetrics: false, initialStatuses: [503] }));
    await request(some).get('/api/items/1').expect(200);
    let text = await metricsText(some);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/items/:id",status="503"')).toBe(0);
    expect(
      sample(text, 'http_requests_total', 'method="GET",route="/api/items/:id",status="500"'),
    ).toBeUndefined();
    const none = buildApp(createHttpMetrics({ collectDefaultMetrics: false, initialStatuses: [] }));
    await request(none).get('/api/items/1').expect(200);
    text = await metricsText(none);
    expect(text).not.toContain('status="503"');
  });

  it('rejects initialStatuses that are not status codes', () => {
    expect(() => createHttpMetrics({ initialStatuses: [99] })).toThrow(/options\.initialStatuses/);
    expect(() => createHttpMetrics({ initialStatuses: '500' as unknown as number[] })).toThrow(
      /options\.initialStatuses/,
    );
  });

  it('counts requests by method, route template and status, never by raw path', async () => {
    const app = buildApp(createHttpMetrics({ collectDefaultMetrics: false }));
    await request(app).get('/api/items/42').expect(200);
    await request(app).get('/api/items/7').expect(200);
    await request(app).get('/').expect(200);
    const text = await metricsText(app);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/items/:id",status="200"')).toBe(2);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/",status="200"')).toBe(1);
    expect(text).not.toContain('/api/items/42');
    expect(text).not.toContain('/api/items/7');
  });

  it('labels requests that match no route as "unmatched"', async () => {
    const app = buildApp(createHttpMetrics({ collectDefaultMetrics: false }));
    await request(app).get('/no/such/path/123').expect(404);
    await request(app).post('/api/items/1').expect(404);
    const text = await metricsText(app);
    expect(sample(text, 'http_requests_total', 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(sample(text, 'http_requests_total', 'method="POST",route="unmatched",status="404"')).toBe(1);
    expect(text).not.toContain('/no/such/path');
  });

  it('labels an error response with the template of the route that failed', async () => {
    const app = buildApp(createHttpMetrics({ collectDefaultMetrics: false }));
    await request(app).get('/api/broken').expect(500);
    await request(app).get('/api/rejects/9').expect(500);
    const text = await metricsText(app);
    // The error leaves the router before the response is written: the label still carries its mount path.
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/broken",status="500"')).toBe(1);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/rejects/:id",status="500"')).toBe(1);
  });

  it('labels a response answered before any route matched with fallbackRoute, else "unmatched"', async () => {
    const metrics = createHttpMetrics({
      collectDefaultMetrics: false,
      fallbackRoute: (req, res) =>
        req.originalUrl.startsWith('/api/') && res.statusCode !== 404 ? '/api/*' : undefined,
    });
    const app = express();
    app.use(metrics.middleware);
    app.use('/api', (req, res, next) => {
      if (req.headers['x-limit'] === 'yes') res.status(429).json({ error: 'rate_limited' });
      else next();
    });
    app.get('/api/items/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    app.get('/metrics', metrics.handler);
    await request(app).get('/api/items/1').set('x-limit', 'yes').expect(429);
    await request(app).get('/api/items/2').expect(200);
    await request(app).get('/api/nothing').expect(404);
    const text = await metricsText(app);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/*",status="429"')).toBe(1);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/api/items/:id",status="200"')).toBe(1);
    expect(sample(text, 'http_requests_total', 'method="GET",route="unmatched",status="404"')).toBe(1);
  });

  it('labels routes of a mounted sub-app and of two apps sharing one process', async () => {
    const metrics = createHttpMetrics({ collectDefaultMetrics: false });
    const sub = express();
    sub.get('/orders/:id', (_req, res) => {
      res.send('order');
    });
    const app = express();
    app.use(metrics.middleware);
    app.use('/v1', sub);
    app.get('/metrics', metrics.handler);
    const other = buildApp(createHttpMetrics({ collectDefaultMetrics: false }));
    await request(app).get('/v1/orders/3').expect(200);
    await request(other).get('/api/items/3').expect(200);
    await request(app).get('/v1/orders/4').expect(200);
    const text = await metricsText(app);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/v1/orders/:id",status="200"')).toBe(2);
    expect(text).not.toContain('/api/items/:id');
    expect(
      sample(
        await metricsText(other),
        'http_requests_total',
        'method="GET",route="/api/items/:id",status="200"',
      ),
    ).toBe(1);
  });

  it('keeps req.route readable and writable for other code', async () => {
    const metrics = createHttpMetrics({ collectDefaultMetrics: false });
    const app = express();
    app.use(metrics.middleware);
    app.get('/things/:id', (req, res) => {
      res.json({ path: req.route?.path });
    });
    const res = await request(app).get('/things/1').expect(200);
    expect(res.body).toEqual({ path: '/things/:id' });
  });

  it('observes durations in the histogram with the same labels', async () => {
    const app = buildApp(createHttpMetrics({ collectDefaultMetrics: false, buckets: [0.5, 60] }));
    await request(app).get('/api/items/1').expect(200);
    await request(app).get('/api/items/2').expect(200);
    const text = await metricsText(app);
    const labels = 'method="GET",route="/api/items/:id",status="200"';
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_bucket', `le="60",${labels}`)).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_bucket', `le="+Inf",${labels}`)).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('serves the registry with the Prometheus content type, in a parseable text format', async () => {
    const metrics = createHttpMetrics();
    const app = buildApp(metrics);
    await request(app).get('/api/items/1');
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe(metrics.registry.contentType);
    const sampleLine = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|nan|[+-]inf)$/i;
    for (const line of res.text.split('\n')) {
      if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      expect(line).toMatch(sampleLine);
    }
  });

  it('passes `promtool check metrics`, default process metrics included', async () => {
    const metrics = createHttpMetrics();
    const app = buildApp(metrics);
    await request(app).get('/api/items/1');
    await request(app).get('/missing');
    const text = await metricsText(app);
    expect(text).toContain('process_cpu_user_seconds_total');
    const result = promtoolCheckMetrics(text);
    if (result.status === 'missing' && skipWithoutPromtool()) return;
    expect(result).toEqual({ status: 'passed' });
  });

  it('registers default process metrics on its own registry, never the global one', async () => {
    const a = createHttpMetrics();
    const b = createHttpMetrics();
    expect(a.registry).not.toBe(b.registry);
    expect(await a.registry.getSingleMetric('process_resident_memory_bytes')).toBeDefined();
    expect(
      (await createHttpMetrics({ collectDefaultMetrics: false }).registry.metrics()).includes('process_'),
    ).toBe(false);
  });

  it('uses the given registry, next to the caller’s own metrics', async () => {
    const registry = new Registry();
    new Counter({ name: 'orders_created_total', help: 'Orders.', registers: [registry] }).inc();
    const metrics = createHttpMetrics({ registry, collectDefaultMetrics: false });
    expect(metrics.registry).toBe(registry);
    const text = await registry.metrics();
    expect(text).toContain('orders_created_total 1');
    expect(text).toContain('# TYPE http_requests_total counter');
  });

  it('records a response the client abandoned, once, with status 499', async () => {
    const metrics = createHttpMetrics({ collectDefaultMetrics: false });
    const closed = deferred();
    const entered = deferred();
    const app = express();
    app.use(metrics.middleware);
    app.get('/slow/:id', (_req, res) => {
      res.on('close', () => closed.resolve());
      entered.resolve();
    });
    const { logger } = memoryLogger();
    const server = await listen(app, { port: 0, logger });
    try {
      const req = httpRequest(`${server.url}/slow/1`);
      req.on('error', () => undefined);
      req.end();
      await entered.promise;
      req.destroy();
      await closed.promise;
      const text = await metrics.registry.metrics();
      expect(sample(text, 'http_requests_total', 'method="GET",route="/slow/:id",status="499"')).toBe(1);
    } finally {
      server.server.closeAllConnections();
      await server.close();
    }
  });

  it('does not mutate the options object', () => {
    const buckets = [0.1, 1];
    const options = { collectDefaultMetrics: false, buckets };
    createHttpMetrics(options);
    expect(options).toEqual({ collectDefaultMetrics: false, buckets: [0.1, 1] });
    expect(options.buckets).toBe(buckets);
  });

  it.each([
    [{ registry: {} }, 'options.registry'],
    [{ collectDefaultMetrics: 'yes' }, 'options.collectDefaultMetrics'],
    [{ buckets: [] }, 'options.buckets'],
    [{ buckets: [1, 0.5] }, 'options.buckets'],
    [{ buckets: [0, 1] }, 'options.buckets'],
    [{ fallbackRoute: '/api/*' }, 'options.fallbackRoute'],
  ])('rejects %o with a TypeError naming %s', (options, name) => {
    expect(() => createHttpMetrics(options as never)).toThrow(TypeError);
    expect(() => createHttpMetrics(options as never)).toThrow(name);
  });
});
