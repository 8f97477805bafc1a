import { createServer, request as httpRequest, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type TestApp } from './helpers/build-app.js';

const KEY = 'idempotency-header-test-key';
const ORDER = JSON.stringify({ itemId: '1', quantity: 1 });
let current: TestApp | undefined;
let server: Server | undefined;

afterEach(async () => {
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  }
  await current?.close();
  current = undefined;
});

/** The app on 127.0.0.1, port 0: node:http sends an array header value as one line per value. */
async function listeningApp(): Promise<string> {
  current = buildApp({ API_KEYS: `${KEY}:1000:10000` });
  const listening = createServer(current.mockApi.app);
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

function postOrder(origin: string, headers: OutgoingHttpHeaders): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${origin}/api/orders`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(ORDER);
  });
}

describe('POST /api/orders with more than one Idempotency-Key header', () => {
  it.each([
    ['two different keys', ['a', 'b']],
    ['the same key twice', ['a', 'a']],
  ])('refuses %s with 400 invalid_idempotency_key and creates no order', async (_name, keys) => {
    const origin = await listeningApp();
    const response = await postOrder(origin, { 'idempotency-key': keys });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: 'invalid_idempotency_key',
      message: 'Exactly one Idempotency-Key header is allowed; this request has 2.',
    });
    const listed = await supertest(origin).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(0);
  });

  it('still takes one header whose value has a comma as one key', async () => {
    const origin = await listeningApp();
    const first = await postOrder(origin, { 'idempotency-key': 'a, b' });
    const again = await postOrder(origin, { 'idempotency-key': 'a, b' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ idempotencyKey: 'a, b' });
    expect(again).toEqual(first);
  });
});
