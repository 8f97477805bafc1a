import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient, isConcurrencyLimitError } from '../src/index.js';
import { captureLogs } from './helpers/logs.js';

/** A server that holds every request until the test releases it. */
interface HoldingServer {
  readonly origin: string;
  readonly held: Array<ServerResponse>;
  /** Resolves when `count` requests have arrived. */
  arrived(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startHoldingServer(): Promise<HoldingServer> {
  const held: ServerResponse[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server: Server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    held.push(response);
    for (const waiter of [...waiters]) {
      if (held.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    held,
    arrived: (count) =>
      held.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function release(response: ServerResponse | undefined): void {
  response?.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
}

describe('concurrency option', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ a: HoldingServer; b: HoldingServer; client: HttpClient }> {
    const a = await startHoldingServer();
    cleanups.push(() => a.close());
    const b = await startHoldingServer();
    cleanups.push(() => b.close());
    const client = createHttpClient({
      concurrency: { algorithm: 'fixed', initialLimit: 1, maxQueue: 0 },
      logger: captureLogs().logger,
      retry: { retries: 3 },
    });
    cleanups.push(() => client.close());
    return { a, b, client };
  }

  it('rejects a second concurrent call to the same upstream at once, without sending it or opening the breaker', async () => {
    const { a, b, client } = await setup();
    const first = client.get(`${a.origin}/one`);
    await a.arrived(1);

    const error: unknown = await client.get(`${a.origin}/two`).catch((caught: unknown) => caught);
    expect(isConcurrencyLimitError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_CONCURRENCY_LIMIT' });
    expect(typeof (error as { retryAfterMs: unknown }).retryAfterMs).toBe('number');
    expect(a.held).toHaveLength(1);
    expect(client.breakers?.get(a.origin).state).toBe('CLOSED');

    // Another upstream has a limiter of its own.
    const other = client.get(`${b.origin}/other`);
    await b.arrived(1);
    release(b.held[0]);
    await expect(other).resolves.toMatchObject({ status: 200 });

    expect(client.limiters?.get(a.origin)).toMatchObject({ limit: 1, inFlight: 1 });
    release(a.held[0]);
    await expect(first).resolves.toMatchObject({ status: 200 });
    expect(client.limiters?.get(a.origin)?.inFlight).toBe(0);

    // The slot is free again: the next call goes through.
    const next = client.get(`${a.origin}/three`);
    await a.arrived(2);
    release(a.held[1]);
    await expect(next).resolves.toMatchObject({ status: 200 });
    expect(client.breakers?.get(a.origin).state).toBe('CLOSED');
  });

  it('has no limiters by default', async () => {
    const client = createHttpClient({ logger: captureLogs().logger });
    cleanups.push(() => client.close());
    expect(client.limiters).toBeUndefined();
  });

  it('names a bad field as concurrency.<field>', () => {
    expect(() => createHttpClient({ concurrency: { initialLimit: 0 } })).toThrow(/concurrency\.initialLimit/);
    expect(() => createHttpClient({ concurrency: 5 as never })).toThrow(/option concurrency /);
  });
});
