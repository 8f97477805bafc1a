import { brotliCompressSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumerHandle, type MockApiHandle, startConsumer, startMockApi } from './helpers/stack.js';

const CHECKOUT = JSON.stringify({ itemId: '1', quantity: 2 });

describe('POST /checkout with a Content-Encoding', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeAll(async () => {
    upstream = await startMockApi();
    consumer = await startConsumer(upstream, { RETRY_MAX: '0' });
  });

  afterAll(async () => {
    await consumer.close();
    await upstream.close();
  });

  function checkout(encoding: string, body: Buffer) {
    return (
      request(consumer.consumer.app)
        .post('/checkout')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        // As they are: with a JSON content type superagent would otherwise send the Buffer as JSON.
        .serialize((bytes) => bytes)
        .send(body)
    );
  }

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ])('checks out a valid %s JSON body', async (encoding, compress) => {
    const response = await checkout(encoding, compress(Buffer.from(CHECKOUT)));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ itemId: '1', quantity: 2 });
  });

  it.each([
    ['raw JSON sent as gzip', 'gzip', Buffer.from(CHECKOUT)],
    ['a truncated gzip stream', 'gzip', gzipSync(Buffer.from(CHECKOUT)).subarray(0, 12)],
    ['raw JSON sent as deflate', 'deflate', Buffer.from(CHECKOUT)],
    ['raw JSON sent as br', 'br', Buffer.from(CHECKOUT)],
  ])('answers %s with 400 malformed_body before any upstream call', async (_name, encoding, body) => {
    const before = upstream.hits.length;
    const response = await checkout(encoding, body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: 'malformed_body',
      message: 'The body could not be decoded: it is not valid for its Content-Encoding',
      requestId: response.headers['x-request-id'],
    });
    expect(upstream.hits.length).toBe(before);
  });

  it.each(['br2', 'compress'])(
    'answers Content-Encoding %s with 415 unsupported_media_type',
    async (encoding) => {
      const response = await checkout(encoding, Buffer.from(CHECKOUT));
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({
        error: 'unsupported_media_type',
        message: 'The Content-Encoding is not supported',
      });
    },
  );

  it('answers a charset other than UTF-8 with 415 unsupported_media_type, not bad_request', async () => {
    const response = await request(consumer.consumer.app)
      .post('/checkout')
      .set('Content-Type', 'application/json; charset=latin1')
      .send(CHECKOUT);
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({
      error: 'unsupported_media_type',
      message: 'The charset is not supported; send UTF-8',
    });
  });
});
