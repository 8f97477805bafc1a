import { AxiosError } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHttpClient,
  type HttpClient,
  HttpClientError,
  HttpStatusError,
  isHttpClientError,
  isHttpStatusError,
} from '../src/index.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('errors', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeEach(async () => {
    server = await startTestServer();
    client = createHttpClient({ baseURL: server.origin, retry: false, logger: captureLogs().logger });
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it('never lets a raw AxiosError escape', async () => {
    server.script([{ status: 404, body: '{"error":"no such item"}' }]);
    const error = await client.get('/items/9').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AxiosError);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toBeInstanceOf(HttpClientError);
    expect(isHttpClientError(error)).toBe(true);
    expect((error as HttpStatusError).cause).toBeInstanceOf(AxiosError);
  });

  it('names method and URL, and keeps the bulky body and headers out of enumeration', async () => {
    server.script([{ status: 500, body: 'x'.repeat(10_000), headers: { 'x-trace': 't1' } }]);
    const error = (await client
      .post('/orders?sig=abc', { a: 1 })
      .catch((e: unknown) => e)) as HttpStatusError;
    expect(error.name).toBe('HttpStatusError');
    expect(error.code).toBe('ERR_HTTP_STATUS');
    expect(error.message).toMatch(new RegExp(`^POST ${server.origin}/orders failed with status 500`));
    expect(error.method).toBe('POST');
    expect(error.url).toBe(`${server.origin}/orders`);
    expect(error.body.length).toBeLessThan(2100);
    expect(error.body.endsWith('…[truncated]')).toBe(true);
    expect(error.headers['x-trace']).toBe('t1');
    expect(Object.keys(error)).not.toContain('body');
    expect(Object.keys(error)).not.toContain('headers');
    expect(JSON.stringify(error).length).toBeLessThan(600);
  });

  it('an HttpStatusError carries retryAfterMs when the upstream sent Retry-After', async () => {
    server.script([{ status: 429, headers: { 'retry-after': '4' } }]);
    const error = await client.get('/x').catch((e: unknown) => e);
    expect(isHttpStatusError(error) && error.retryAfterMs).toBe(4000);
  });

  it('passes a non-2xx response through when the caller accepts it with validateStatus', async () => {
    server.script([{ status: 404, body: '{"found":false}' }]);
    const response = await client.get('/x', { validateStatus: (s) => s === 404 || (s >= 200 && s < 300) });
    expect(response.status).toBe(404);
    expect(response.data).toEqual({ found: false });
  });

  it('reports a request that cannot be sent as ERR_HTTP_REQUEST, without retrying', async () => {
    const bare = createHttpClient({ logger: captureLogs().logger });
    const error = await bare.get('/relative').catch((e: unknown) => e);
    bare.close();
    expect(isHttpClientError(error) && error.code).toBe('ERR_HTTP_REQUEST');
  });

  it('rejects axios-style timeout in a request config, naming the right option', async () => {
    await expect(client.request({ url: '/x', timeout: 5 } as never)).rejects.toThrow(
      /did you mean timeoutMs/,
    );
  });
});
