import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  isResponseTooLargeError,
  ResponseTooLargeError,
} from '../src/index.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const LIMIT = 1024;

describe('maxResponseBytes', () => {
  let server: TestServer;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server.close();
  });

  function clientWith(options: HttpClientOptions = {}): HttpClient {
    client = createHttpClient({
      baseURL: server.origin,
      retry: { retries: 3, baseDelayMs: 0, jitter: 'none' },
      maxResponseBytes: LIMIT,
      logger: captureLogs().logger,
      ...options,
    });
    return client;
  }

  it('accepts a body of exactly the limit', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(LIMIT - 10) });
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    server.script([{ status: 200, body }]);
    const response = await clientWith().get<{ pad: string }>('/items');
    expect(response.data.pad).toHaveLength(LIMIT - 10);
  });

  it('fails a bigger body with ResponseTooLargeError, once: it is not retried', async () => {
    server.script([{ status: 200, body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }) }]);
    const error = await clientWith()
      .get('/items?page=2')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(isResponseTooLargeError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'ResponseTooLargeError',
      code: 'ERR_HTTP_RESPONSE_TOO_LARGE',
      limitBytes: LIMIT,
      attempts: 1,
      giveUpReason: 'not-retryable',
    });
    expect((error as Error).message).toMatch(
      new RegExp(`^GET ${server.origin}/items answered a body over the ${LIMIT}-byte limit;`),
    );
    expect(server.hits).toBe(1);
  });

  it('counts an error status body against the limit too', async () => {
    server.script([{ status: 500, body: 'e'.repeat(LIMIT + 1) }]);
    const error = await clientWith({ retry: false })
      .get('/items')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });

  it('is a sign of life for the breaker, not a failure', async () => {
    const breakerClient = clientWith({ retry: false, breaker: { failureThreshold: 1 } });
    server.script([{ status: 200, body: 'x'.repeat(LIMIT + 1) }]);
    await expect(breakerClient.get('/big')).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(breakerClient.breakers?.get(server.origin).stats().state).toBe('CLOSED');
    await expect(breakerClient.get('/small')).resolves.toMatchObject({ status: 200 });
  });

  it('leaves bodies unlimited by default', async () => {
    server.script([{ status: 200, body: JSON.stringify({ pad: 'x'.repeat(100_000) }) }]);
    const response = await clientWith({ maxResponseBytes: undefined }).get<{ pad: string }>('/items');
    expect(response.data.pad).toHaveLength(100_000);
  });

  it('gives way to a maxContentLength passed on one call', async () => {
    server.script([{ status: 200, body: 'x'.repeat(LIMIT * 2) }]);
    const response = await clientWith().get<string>('/items', {
      maxContentLength: LIMIT * 4,
      responseType: 'text',
    });
    expect(response.data).toHaveLength(LIMIT * 2);
  });
});

describe('maxResponseBytes with a compressed answer', () => {
  let server: Server;
  let client: HttpClient | undefined;

  afterEach(async () => {
    client?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts the decompressed bytes: a small gzip body that inflates past the limit fails', async () => {
    const inflated = JSON.stringify({ pad: 'x'.repeat(LIMIT * 100) });
    const compressed = gzipSync(inflated);
    expect(compressed.length).toBeLessThan(LIMIT);
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(compressed);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = createHttpClient({
      baseURL: origin,
      retry: false,
      maxResponseBytes: LIMIT,
      logger: captureLogs().logger,
    });
    await expect(client.get('/items')).rejects.toMatchObject({
      code: 'ERR_HTTP_RESPONSE_TOO_LARGE',
      limitBytes: LIMIT,
    });
  });
});
