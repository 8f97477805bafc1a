import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClient, isHttpStatusError, isNetworkError } from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('POST and PATCH retries', () => {
  let server: TestServer;
  const clients: HttpClient[] = [];

  function client(idempotencyKey = false): HttpClient {
    const c = createHttpClient({
      baseURL: server.origin,
      idempotencyKey,
      retry: { jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry() },
    });
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    vi.useRealTimers();
    await server.close();
  });

  it('does not retry POST on ECONNRESET without an idempotency key', async () => {
    server.script(['reset']);
    const error = await client()
      .post('/orders', { sku: 'a' })
      .catch((e: unknown) => e);
    expect(isNetworkError(error) && error.giveUpReason).toBe('not-idempotent');
    expect(isNetworkError(error) && error.message).toContain('Idempotency-Key');
    expect(server.hits).toBe(1);
  });

  it('does not retry POST on 503 without an idempotency key', async () => {
    server.script([{ status: 503 }]);
    const error = await client()
      .post('/orders', { sku: 'a' })
      .catch((e: unknown) => e);
    expect(isHttpStatusError(error) && error.status).toBe(503);
    expect(server.hits).toBe(1);
    expect(server.requests[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('does not retry PATCH without an idempotency key', async () => {
    server.script([{ status: 502 }]);
    await expect(client().patch('/orders/1', { qty: 2 })).rejects.toMatchObject({ status: 502, attempts: 1 });
    expect(server.hits).toBe(1);
  });

  it('retries POST carrying an Idempotency-Key header, sending the same key and body every time', async () => {
    server.script(['reset', { status: 503 }]);
    const response = await client().post(
      '/orders',
      { sku: 'a' },
      {
        headers: { 'Idempotency-Key': 'order-42' },
      },
    );
    expect(response.status).toBe(200);
    expect(server.hits).toBe(3);
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      'order-42',
      'order-42',
      'order-42',
    ]);
    expect(new Set(server.requests.map((r) => r.body))).toEqual(new Set(['{"sku":"a"}']));
  });

  it('with idempotencyKey: true generates one key per logical call, identical on every attempt', async () => {
    server.script([{ status: 503 }, { status: 500 }]);
    const c = client(true);
    await c.post('/orders', { sku: 'a' });
    await c.patch('/orders/1', { qty: 1 });
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(4);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe(keys[0]);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('per call, idempotencyKey takes a key of the caller', async () => {
    server.script([{ status: 503 }]);
    await client().post('/orders', {}, { idempotencyKey: 'abc-1' });
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['abc-1', 'abc-1']);
  });

  it('retries PUT and DELETE for every kind of failure', async () => {
    server.script(['reset', { status: 503 }]);
    await client().put('/orders/1', { qty: 1 });
    await client().delete('/orders/1');
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT', 'DELETE']);
  });
});
