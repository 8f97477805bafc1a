import { request as httpRequest } from 'node:http';
import express, { type Express } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  getRequestId,
  type HttpLoggerOptions,
  httpLogger,
  REQUEST_ID_HEADER,
} from '../src/index.js';
import {
  createMemoryDestination,
  type LogLine,
  type MemoryDestination,
} from './helpers/memory-destination.js';
import { type StartedServer, startServer } from './helpers/start-server.js';

const GENERATED_ID = /^req-[0-9a-f]{12}$/;

interface TestApp {
  readonly server: StartedServer;
  readonly destination: MemoryDestination;
  readonly handlerReached: Promise<void>;
  release(): void;
}

let current: TestApp | undefined;

afterEach(async () => {
  current?.release();
  await current?.server.close();
  current = undefined;
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function startApp(options: Omit<HttpLoggerOptions, 'logger'> = {}): Promise<TestApp> {
  const destination = createMemoryDestination();
  const logger = createLogger({ destination, level: 'debug', service: 'http-test' });
  const reached = deferred();
  const released = deferred();
  const app: Express = express();
  app.set('env', 'test'); // keeps Express's default error handler from printing stacks
  app.use(httpLogger({ logger, ...options }));
  app.get('/orders', (req, res) => {
    req.log.info('handling orders');
    res.cookie('session', 'SECRET-COOKIE').json({ id: req.id, fromContext: getRequestId() });
  });
  app.use('/limited', (_req, res) => {
    res.status(429).json({ error: 'too many requests' });
  });
  app.get('/boom', async () => {
    await Promise.resolve();
    throw new Error('handler failed');
  });
  app.get('/healthz', (_req, res) => {
    res.send('ok');
  });
  app.get('/readyz', (_req, res) => {
    res.status(503).send('not ready');
  });
  app.get('/internal/ping', (_req, res) => {
    res.send('pong');
  });
  app.get('/hang', async (_req, res) => {
    reached.resolve();
    await released.promise;
    res.end();
  });
  const server = await startServer(app);
  current = { server, destination, handlerReached: reached.promise, release: released.resolve };
  return current;
}

function completionOf(destination: MemoryDestination, requestId: string): Promise<LogLine> {
  return destination.waitFor(
    (l) => l.requestId === requestId && (l.msg === 'request completed' || l.msg === 'request aborted'),
  );
}

describe('httpLogger (Express 5)', () => {
  it('reuses a valid inbound X-Request-ID everywhere', async () => {
    const { server, destination } = await startApp();
    const inbound = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const res = await request(server.server).get('/orders').set('X-Request-ID', inbound).expect(200);
    expect(res.headers[REQUEST_ID_HEADER]).toBe(inbound);
    expect(res.body).toEqual({ id: inbound, fromContext: inbound });
    const completion = await completionOf(destination, inbound);
    expect(completion).toMatchObject({ method: 'GET', path: '/orders', status: 200 });
    expect(destination.lines().find((l) => l.msg === 'handling orders')?.requestId).toBe(inbound);
  });

  it.each([
    ['129 characters', 'x'.repeat(129)],
    ['spaces', 'req with spaces'],
    ['unicode (latin-1 on the wire)', 'req-\u00e9t\u00e9'],
    ['empty', ''],
  ])('replaces a hostile inbound id (%s) with a generated one', async (_name, hostile) => {
    const { server, destination } = await startApp();
    const res = await request(server.server).get('/orders').set('X-Request-ID', hostile).expect(200);
    const id = String(res.headers[REQUEST_ID_HEADER]);
    expect(id).toMatch(GENERATED_ID);
    expect(res.body.id).toBe(id);
    const debug = await destination.waitFor((l) => l.msg === 'inbound request id rejected and replaced');
    expect(debug).toMatchObject({ level: 'debug', requestId: id });
    expect(typeof debug.reason).toBe('string');
  });

  it.each([
    ['a 200', '/orders', 200],
    ['a 404 from no route', '/no-such-route', 404],
    ['a 429 from a later middleware', '/limited/x', 429],
    ['a 500 thrown by a handler', '/boom', 500],
  ])('sets X-Request-ID on %s', async (_name, path, status) => {
    const { server } = await startApp();
    const generated = await request(server.server).get(path).expect(status);
    expect(generated.headers[REQUEST_ID_HEADER]).toMatch(GENERATED_ID);
    const reused = await request(server.server).get(path).set('X-Request-ID', 'caller-7').expect(status);
    expect(reused.headers[REQUEST_ID_HEADER]).toBe('caller-7');
  });

  it.each([
    ['/orders', 200, 'info'],
    ['/no-such-route', 404, 'warn'],
    ['/limited/x', 429, 'warn'],
    ['/boom', 500, 'error'],
  ])('writes one completion line for %s (%i) at level %s', async (path, status, level) => {
    const { server, destination } = await startApp();
    await request(server.server)
      .get(`${path}?token=abc&page=2`)
      .set('X-Request-ID', 'one-line')
      .expect(status);
    const line = await completionOf(destination, 'one-line');
    expect(line).toMatchObject({
      level,
      method: 'GET',
      path,
      status,
      requestId: 'one-line',
      service: 'http-test',
    });
    expect(typeof line.responseTimeMs).toBe('number');
    expect(line.responseTimeMs).toBeGreaterThanOrEqual(0);
    expect(line).not.toHaveProperty('aborted');
    expect(destination.lines().filter((l) => l.msg === 'request completed')).toHaveLength(1);
  });

  it('leaves the query string out of the path by default and keeps it with logQueryString', async () => {
    const { server, destination } = await startApp({ logQueryString: true });
    await request(server.server).get('/orders?page=2').set('X-Request-ID', 'with-query').expect(200);
    expect((await completionOf(destination, 'with-query')).path).toBe('/orders?page=2');
  });

  it('logs the full path when mounted under a prefix', async () => {
    const destination = createMemoryDestination();
    const api = express.Router();
    api.use(httpLogger({ logger: createLogger({ destination }) }));
    api.get('/items', (_req, res) => {
      res.json([]);
    });
    const app: Express = express();
    app.use('/api', api);
    const server = await startServer(app);
    try {
      await request(server.server).get('/api/items?secret=1').set('X-Request-ID', 'mounted-1').expect(200);
      expect(await completionOf(destination, 'mounted-1')).toMatchObject({ path: '/api/items' });
    } finally {
      await server.close();
    }
  });

  it('keeps health and metrics paths quiet, but still gives them an id', async () => {
    const { server, destination } = await startApp();
    const health = await request(server.server).get('/healthz').set('X-Request-ID', 'probe-1').expect(200);
    expect(health.headers[REQUEST_ID_HEADER]).toBe('probe-1');
    await request(server.server).get('/orders').set('X-Request-ID', 'after-probe').expect(200);
    await completionOf(destination, 'after-probe');
    expect(destination.lines().filter((l) => l.requestId === 'probe-1')).toEqual([]);
  });

  it('still logs a quiet path that answers 5xx', async () => {
    const { server, destination } = await startApp();
    await request(server.server).get('/readyz').set('X-Request-ID', 'probe-2').expect(503);
    expect(await completionOf(destination, 'probe-2')).toMatchObject({ level: 'error', status: 503 });
  });

  it('uses the configured quietPaths instead of the defaults', async () => {
    const { server, destination } = await startApp({ quietPaths: ['/internal/ping'] });
    await request(server.server).get('/internal/ping').set('X-Request-ID', 'ping-1').expect(200);
    await request(server.server).get('/healthz').set('X-Request-ID', 'health-1').expect(200);
    expect(await completionOf(destination, 'health-1')).toMatchObject({ path: '/healthz' });
    expect(destination.lines().filter((l) => l.requestId === 'ping-1')).toEqual([]);
  });

  it('does not log headers unless asked', async () => {
    const { server, destination } = await startApp();
    await request(server.server)
      .get('/orders')
      .set('Authorization', 'Bearer SECRET')
      .set('X-Request-ID', 'h-1');
    const line = await completionOf(destination, 'h-1');
    expect(line).not.toHaveProperty('req');
    expect(line).not.toHaveProperty('res');
    expect(destination.raw.join('')).not.toContain('SECRET');
  });

  it('logs redacted request and response headers with logHeaders: true', async () => {
    const { server, destination } = await startApp({ logHeaders: true });
    await request(server.server)
      .get('/orders')
      .set('X-Request-ID', 'h-2')
      .set('Authorization', 'Bearer SECRET')
      .set('Cookie', 'sid=SECRET')
      .set('X-Api-Key', 'SECRET')
      .set('Proxy-Authorization', 'Basic SECRET')
      .set('Accept', 'application/json')
      .expect(200);
    const line = await completionOf(destination, 'h-2');
    expect(line).toMatchObject({
      req: {
        headers: {
          authorization: '[Redacted]',
          cookie: '[Redacted]',
          'x-api-key': '[Redacted]',
          'proxy-authorization': '[Redacted]',
          accept: 'application/json',
        },
      },
      res: { headers: { 'set-cookie': '[Redacted]', 'x-request-id': 'h-2' } },
    });
    expect(destination.raw.join('')).not.toContain('SECRET');
  });

  it('writes an aborted line when the client goes away before the response', async () => {
    const app = await startApp();
    const clientReq = httpRequest(`${app.server.url}/hang`, { headers: { 'x-request-id': 'gone-1' } });
    clientReq.on('error', () => undefined);
    clientReq.end();
    await app.handlerReached;
    clientReq.destroy();
    const line = await completionOf(app.destination, 'gone-1');
    expect(line).toMatchObject({ msg: 'request aborted', aborted: true, level: 'warn', path: '/hang' });
  });
});
