import express, { type Express } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getRequestId, httpLogger } from '../src/index.js';
import { baseDestination, baseLogger } from './helpers/base-logger.js';
import { recordStep, recordStepLater } from './helpers/order-steps.js';
import { type StartedServer, startServer } from './helpers/start-server.js';

const REQUESTS = 50;
// Distinct delays (10-500 ms) in an order unrelated to arrival: requests finish interleaved.
const delayOf = (n: number): number => (((n * 37) % REQUESTS) + 1) * 10;

let server: StartedServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

describe('request context under concurrency', () => {
  it('gives every line of 50 interleaved requests its own request id and never another', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    baseDestination.clear();
    let started = 0;
    let allStarted: () => void = () => undefined;
    const everyoneWaiting = new Promise<void>((resolve) => {
      allStarted = resolve;
    });

    const app: Express = express();
    app.use(httpLogger({ logger: baseLogger }));
    app.get('/orders/:n', async (req, res) => {
      const n = Number(req.params.n);
      recordStep(n, 'received');
      started += 1;
      if (started === REQUESTS) allStarted();
      await new Promise((resolve) => setTimeout(resolve, delayOf(n)));
      await recordStepLater(n, 'after timer');
      recordStep(n, 'responding');
      res.json({ requestId: getRequestId() });
    });
    server = await startServer(app);
    const target = server.server;

    // `.then()` sends the request now (supertest is lazy until awaited).
    const responses = Array.from({ length: REQUESTS }, (_, n) =>
      request(target)
        .get(`/orders/${n}`)
        .set('X-Request-ID', `client-${n}`)
        .then((res) => res),
    );
    await everyoneWaiting;
    await vi.advanceTimersByTimeAsync(delayOf(0) + REQUESTS * 10);
    const results = await Promise.all(responses);
    const completions = await Promise.all(
      results.map((_, n) =>
        baseDestination.waitFor((l) => l.msg === 'request completed' && l.path === `/orders/${n}`),
      ),
    );

    results.forEach((res, n) => {
      expect(res.status).toBe(200);
      expect(res.body.requestId).toBe(`client-${n}`);
      expect(res.headers['x-request-id']).toBe(`client-${n}`);
    });
    completions.forEach((line, n) => {
      expect(line.requestId).toBe(`client-${n}`);
    });

    const steps = baseDestination.lines().filter((l) => l.msg === 'order step');
    expect(steps).toHaveLength(REQUESTS * 3);
    for (const line of steps) expect(line.requestId).toBe(`client-${String(line.order)}`);
    for (const raw of baseDestination.raw) expect(raw.split('"requestId"')).toHaveLength(2);

    // The requests really overlapped: all 50 were received before the first one went on, and they
    // went on in timer order, not arrival order.
    const order = steps.map((l) => `${String(l.step)}:${String(l.order)}`);
    expect(order.slice(0, REQUESTS).every((s) => s.startsWith('received:'))).toBe(true);
    const resumed = steps.filter((l) => l.step === 'after timer').map((l) => Number(l.order));
    expect(resumed).toEqual([...resumed].sort((a, b) => delayOf(a) - delayOf(b)));
    expect(resumed).not.toEqual([...resumed].sort((a, b) => a - b));
  });
});
