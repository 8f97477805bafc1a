import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type TestApp } from './helpers/build-app.js';

const KEY = 'content-encoding-test-key';
const ENV = { API_KEYS: `${KEY}:1000:10000` };
const ORDER = JSON.stringify({ itemId: '1', quantity: 2 });
let current: TestApp | undefined;

function app(): TestApp['mockApi']['app'] {
  current = buildApp(ENV);
  return current.mockApi.app;
}

afterEach(async () => {
  await current?.close();
  current = undefined;
});

function postOrder(target: TestApp['mockApi']['app'], encoding: string, body: Buffer) {
  return (
    request(target)
      .post('/api/orders')
      .set('X-API-Key', KEY)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', encoding)
      // As they are: with a JSON content type superagent would otherwise send the Buffer as JSON.
      .serialize((bytes) => bytes)
      .send(body)
  );
}

describe('POST /api/orders with a Content-Encoding', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('accepts a valid %s JSON body', async (encoding, compress) => {
    const target = app();
    const response = await postOrder(target, encoding, compress(Buffer.from(ORDER)));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ itemId: '1', quantity: 2 });
  });

  it.each([
    ['raw JSON sent as gzip', 'gzip', Buffer.from(ORDER)],
    ['a truncated gzip stream', 'gzip', gzipSync(Buffer.from(ORDER)).subarray(0, 12)],
    ['raw JSON sent as deflate', 'deflate', Buffer.from(ORDER)],
    ['raw JSON sent as br', 'br', Buffer.from(ORDER)],
  ])('answers %s with 400 malformed_body, not 500', async (_name, encoding, body) => {
    const target = app();
    const response = await postOrder(target, encoding, body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      error: 'malformed_body',
      message: 'The body could not be decoded: it is not valid for its Content-Encoding.',
      requestId: response.headers['x-request-id'],
    });
    expect(current?.logs.some((line) => line.level === 'error' || line.level === 'fatal')).toBe(false);
    const listed = await request(target).get('/api/orders').set('X-API-Key', KEY);
    expect(listed.body.total).toBe(0);
  });

  it.each(['br2', 'compress', 'gzip, br'])(
    'answers Content-Encoding %s with 415 unsupported_media_type',
    async (encoding) => {
      const response = await postOrder(app(), encoding, Buffer.from(ORDER));
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({
        error: 'unsupported_media_type',
        message: 'The Content-Encoding is not supported.',
        requestId: response.headers['x-request-id'],
      });
    },
  );
});
