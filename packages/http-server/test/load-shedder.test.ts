import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLoadShedder, type LoadShedder, type LoadShedderOptions } from '../src/create-load-shedder.js';
import { type Deferred, deferred } from './helpers/deferred.js';

interface Harness {
  readonly shedder: LoadShedder;
  readonly base: string;
  /** Resolves when a request has reached the held handler; `release()` answers it. */
  entered(): Promise<Deferred<void>>;
}

const servers: Server[] = [];
const shedders: LoadShedder[] = [];
afterEach(async () => {
  for (const shedder of shedders.splice(0)) shedder.close();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function start(options: LoadShedderOptions): Promise<Harness> {
  const shedder = createLoadShedder(options);
  shedders.push(shedder);
  const arrivals: Deferred<void>[] = [];
  let waiting: ((held: Deferred<void>) => void)[] = [];
  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(shedder.middleware);
  app.get('/metrics', async (_req, res) => {
    res.type('text/plain').send(await shedder.registry.metrics());
  });
  app.all('/hold', async (_req, res) => {
    const held = deferred<void>();
    const next = waiting.shift();
    if (next) next(held);
    else arrivals.push(held);
    await held.promise;
    res.json({ ok: true });
  });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    shedder,
    base: `http://127.0.0.1:${port}`,
    entered: () => {
      const ready = arrivals.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => {
        waiting = [...waiting, resolve];
      });
    },
  };
}

const get = (base: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers });

describe('createLoadShedder', () => {
  it('answers a request over the limit 503 with Retry-After and the request id, while the admitted ones are still held', async () => {
    const h = await start({ maxConcurrent: 2, maxQueue: 0, retryAfterSeconds: 3 });
    const first = get(h.base, '/hold');
    const second = get(h.base, '/hold');
    const held = [await h.entered(), await h.entered()];
    const shed = await get(h.base, '/hold', { 'X-Request-ID': 'req-42' });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('3');
    expect(await shed.json()).toEqual({
      error: 'overloaded',
      code: 'ERR_CONCURRENCY_LIMIT',
      message: 'The service is overloaded; retry later',
      requestId: 'req-42',
    });
    expect(h.shedder.limiter.inFlight).toBe(2);
    for (const d of held) d.resolve();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('frees the slot when the response finishes, so the next request is admitted', async () => {
    const h = await start({ maxConcurrent: 1, maxQueue: 0 });
    const first = get(h.base, '/hold');
    (await h.entered()).resolve();
    expect((await first).status).toBe(200);
    await vi.waitFor(() => expect(h.shedder.limiter.inFlight).toBe(0));
    const second = get(h.base, '/hold');
    (await h.entered()).resolve();
    expect((await second).status).toBe(200);
  });

  it('never sheds health and metrics while every slot is taken', async () => {
    const h = await start({ maxConcurrent: 1, maxQueue: 0 });
    const first = get(h.base, '/hold');
    const held = await h.entered();
    expect((await get(h.base, '/hold')).status).toBe(503);
    expect((await get(h.base, '/healthz')).status).toBe(200);
    expect((await get(h.base, '/metrics')).status).toBe(200);
    held.resolve();
    await first;
  });

  it('sheds a queued low-priority request at once to make room for a high-priority one', async () => {
    const h = await start({
      maxConcurrent: 1,
      maxQueue: 1,
      maxQueueMs: 600_000,
      priorities: (req) => (req.get('X-Priority') === 'high' ? 'high' : 'low'),
    });
    const first = get(h.base, '/hold');
    const holder = await h.entered();
    const low = get(h.base, '/hold', { 'X-Priority': 'low' });
    await vi.waitFor(() => expect(h.shedder.limiter.queued).toBe(1));
    const high = get(h.base, '/hold', { 'X-Priority': 'high' });
    const lowAnswer = await low;
    expect(lowAnswer.status).toBe(503);
    expect(h.shedder.limiter.queued).toBe(1);
    // another low one does not displace the queued high one
    expect((await get(h.base, '/hold', { 'X-Priority': 'low' })).status).toBe(503);
    holder.resolve();
    await first;
    (await h.entered()).resolve();
    expect((await high).status).toBe(200);
  });

  it('lets a priority wait longer for a slot with maxQueueMsByPriority while the others are shed after maxQueueMs', async () => {
    const h = await start({
      maxConcurrent: 1,
      maxQueue: 5,
      maxQueueMs: 0,
      maxQueueMsByPriority: { high: 600_000 },
      priorities: (req) => (req.get('X-Priority') === 'high' ? 'high' : 'low'),
    });
    const first = get(h.base, '/hold');
    const holder = await h.entered();
    const high = get(h.base, '/hold', { 'X-Priority': 'high' });
    await vi.waitFor(() => expect(h.shedder.limiter.queued).toBe(1));
    expect((await get(h.base, '/hold', { 'X-Priority': 'low' })).status).toBe(503);
    holder.resolve();
    await first;
    (await h.entered()).resolve();
    expect((await high).status).toBe(200);
  });

  it('counts admitted and shed requests per priority and exposes the limit and in-flight count', async () => {
    const h = await start({
      maxConcurrent: 1,
      maxQueue: 0,
      priorities: (req) => (req.get('X-Priority') === 'high' ? 'high' : 'low'),
    });
    const first = get(h.base, '/hold', { 'X-Priority': 'high' });
    const held = await h.entered();
    await get(h.base, '/hold', { 'X-Priority': 'low' });
    await get(h.base, '/hold', { 'X-Priority': 'low' });
    const text = await (await get(h.base, '/metrics')).text();
    expect(text).toContain('http_load_shedding_requests_total{priority="high",outcome="admitted"} 1');
    expect(text).toContain('http_load_shedding_requests_total{priority="low",outcome="shed"} 2');
    expect(text).toContain('http_concurrency_limit 1');
    expect(text).toContain('http_concurrency_in_flight 1');
    held.resolve();
    await first;
  });

  it('rejects a limiter combined with maxConcurrent', async () => {
    const { createConcurrencyLimiter } = await import('@resilience/core');
    expect(() => createLoadShedder({ limiter: createConcurrencyLimiter(), maxConcurrent: 3 })).toThrow(
      'options.limiter cannot be combined',
    );
  });
});
