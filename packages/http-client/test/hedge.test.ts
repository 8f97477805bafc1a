import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HedgeEvent, type HttpClient } from '../src/index.js';
import { useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';

/** A server that holds every request listed in `hold` (by arrival number) and answers the others at once. */
async function startHoldingServer(hold: ReadonlySet<number>, fail: ReadonlySet<number> = new Set()) {
  const seen: Array<{ req: IncomingMessage; closed: Promise<void> }> = [];
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res: ServerResponse) => {
    const index = seen.length;
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    seen.push({ req, closed });
    for (const wake of waiting.splice(0)) wake();
    req.resume();
    if (fail.has(index)) res.writeHead(500).end();
    else if (!hold.has(index))
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"n":${index}}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    async arrivals(n: number): Promise<void> {
      while (seen.length < n) await new Promise<void>((resolve) => waiting.push(resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('hedge', () => {
  let server: Awaited<ReturnType<typeof startHoldingServer>>;
  let client: HttpClient;

  beforeEach(() => {
    useFakeTime();
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it('sends a hedge after delayMs; the hedge wins, the primary’s socket is closed, both carry one request id', async () => {
    server = await startHoldingServer(new Set([0]));
    const events: Array<[string, number]> = [];
    const record = (name: string) => (event: HedgeEvent) => events.push([name, event.index]);
    client = createHttpClient({
      baseURL: server.origin,
      hedge: { delayMs: 100, maxExtraRatio: 1 },
      logger: captureLogs().logger,
      hooks: {
        onHedge: record('hedge'),
        onHedgeWon: record('won'),
        onHedgeCancelled: record('cancelled'),
      },
    });
    const pending = client.get<{ n: number }>('/items/7');
    await server.arrivals(1);
    vi.advanceTimersByTime(100);
    await server.arrivals(2);
    const response = await pending;

    expect(response.data).toEqual({ n: 1 });
    await server.seen[0]?.closed;
    expect(server.seen[0]?.req.destroyed).toBe(true);
    const ids = server.seen.map(({ req }) => req.headers['x-request-id']);
    expect(ids[0]).toEqual(expect.any(String));
    expect(ids[1]).toBe(ids[0]);
    expect(events).toEqual([
      ['hedge', 1],
      ['won', 1],
      ['cancelled', 0],
    ]);
  });

  it('sends every hedged POST with the Idempotency-Key of its primary', async () => {
    server = await startHoldingServer(new Set([0]));
    client = createHttpClient({
      baseURL: server.origin,
      hedge: { delayMs: 100, maxExtraRatio: 1 },
      logger: captureLogs().logger,
    });
    const pending = client.post('/orders', { sku: 'a' }, { headers: { 'Idempotency-Key': 'order-1' } });
    await server.arrivals(1);
    vi.advanceTimersByTime(100);
    await pending;
    expect(server.seen.map(({ req }) => req.headers['idempotency-key'])).toEqual(['order-1', 'order-1']);
  });

  it('sends no hedge for a POST without an Idempotency-Key, nor with hedge: false per call', async () => {
    server = await startHoldingServer(new Set([0, 1]));
    const hedges: HedgeEvent[] = [];
    client = createHttpClient({
      baseURL: server.origin,
      hedge: { delayMs: 100, maxExtraRatio: 1 },
      idempotencyKey: false,
      timeoutMs: 1_000,
      retry: { retries: 0 },
      logger: captureLogs().logger,
      hooks: { onHedge: (event) => hedges.push(event) },
    });
    const post = client.post('/orders', {}).catch((e: unknown) => e);
    await server.arrivals(1);
    const get = client.get('/items/1', { hedge: false }).catch((e: unknown) => e);
    await server.arrivals(2);
    vi.advanceTimersByTime(500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.seen).toHaveLength(2);
    vi.advanceTimersByTime(1_000);
    await Promise.all([post, get]);
    expect(hedges).toEqual([]);
  });

  it('sends no hedge while the upstream’s breaker is not CLOSED (its half-open trial goes alone)', async () => {
    server = await startHoldingServer(new Set([1]), new Set([0]));
    const hedges: HedgeEvent[] = [];
    client = createHttpClient({
      baseURL: server.origin,
      hedge: { delayMs: 100, maxExtraRatio: 1 },
      breaker: { failureThreshold: 1, resetTimeoutMs: 1_000 },
      timeoutMs: 2_000,
      retry: { retries: 0 },
      logger: captureLogs().logger,
      hooks: { onHedge: (event) => hedges.push(event) },
    });
    await client.get('/items/1').catch(() => undefined);
    const breaker = client.breakers?.get(server.origin);
    expect(breaker?.state).toBe('OPEN');
    vi.advanceTimersByTime(1_000);
    expect(breaker?.state).toBe('HALF_OPEN');
    const trial = client.get('/items/1').catch((e: unknown) => e);
    await server.arrivals(2);
    vi.advanceTimersByTime(500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.seen).toHaveLength(2);
    vi.advanceTimersByTime(2_000);
    await trial;
    expect(hedges).toEqual([]);
  });
});
