import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsumerHandle, sampleValue, startConsumer } from './helpers/stack.js';

const LIMIT = 1024;

/** What the fake upstream answers next: a JSON body of about `bytes` bytes, gzipped when asked. */
interface Answer {
  readonly status: number;
  readonly bytes: number;
  readonly gzip?: boolean;
}

describe('an upstream answer over UPSTREAM_MAX_BODY_BYTES', () => {
  let server: Server | undefined;
  let consumer: ConsumerHandle | undefined;
  const hits: string[] = [];
  let next: Answer = { status: 200, bytes: 10 };

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
      server = undefined;
    }
    hits.length = 0;
  });

  async function start(): Promise<ConsumerHandle> {
    const listening = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        const text = JSON.stringify({ items: [], pad: 'x'.repeat(Math.max(0, next.bytes - 21)) });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (next.gzip === true) headers['content-encoding'] = 'gzip';
        res.writeHead(next.status, headers).end(next.gzip === true ? gzipSync(text) : text);
      });
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    consumer = await startConsumer({ url }, { UPSTREAM_MAX_BODY_BYTES: String(LIMIT), RETRY_MAX: '3' });
    return consumer;
  }

  it('answers GET /catalog 502 upstream_response_too_large after one attempt, never a 500', async () => {
    const app = await start();
    next = { status: 200, bytes: LIMIT * 4 };
    const response = await app.request('/catalog');
    expect(response.status).toBe(502);
    expect(response.body).toEqual({
      error: 'bad_gateway',
      reason: 'upstream_response_too_large',
      message: 'The upstream service answered more data than this service accepts.',
      requestId: response.headers['x-request-id'],
    });
    expect(hits).toEqual(['GET /api/items']);
    expect(app.logs.lines.some((line) => line.msg === 'unhandled error')).toBe(false);
    expect(app.logs.lines.find((line) => line.failure === 'response_too_large')).toMatchObject({
      level: 'warn',
      errorCode: 'ERR_HTTP_RESPONSE_TOO_LARGE',
    });
    expect(
      sampleValue(await app.metrics(), 'upstream_requests_total', { outcome: 'response_too_large' }),
    ).toBe(1);
  });

  it('counts the decompressed size: a small gzip answer that inflates past the limit is refused', async () => {
    const app = await start();
    next = { status: 200, bytes: LIMIT * 50, gzip: true };
    const response = await app.request('/catalog/1');
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ reason: 'upstream_response_too_large' });
  });

  it('still passes an answer of the limit through', async () => {
    const app = await start();
    next = { status: 200, bytes: LIMIT };
    const response = await app.request('/catalog');
    expect(response.status).toBe(200);
    expect(response.text).toHaveLength(LIMIT);
  });

  it('serves the stale copy of GET /catalog when one is cached', async () => {
    const app = await start();
    next = { status: 200, bytes: 100 };
    const fresh = await app.request('/catalog');
    expect(fresh.status).toBe(200);
    next = { status: 200, bytes: LIMIT + 1 };
    const stale = await app.request('/catalog');
    expect(stale.status).toBe(200);
    expect(stale.headers['x-cache']).toBe('stale');
    expect(stale.headers['x-stale-reason']).toBe('upstream_response_too_large');
    expect(stale.text).toBe(fresh.text);
  });

  it('answers POST /checkout 502 with the idempotency key, also for an oversized error answer', async () => {
    const app = await start();
    next = { status: 500, bytes: LIMIT * 4 };
    const response = await app.request('/checkout', {
      method: 'POST',
      headers: { 'idempotency-key': 'big-1' },
      body: { itemId: '1', quantity: 1 },
    });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({
      error: 'bad_gateway',
      reason: 'upstream_response_too_large',
      idempotencyKey: 'big-1',
    });
    expect(hits).toEqual(['POST /api/orders']);
  });
});
