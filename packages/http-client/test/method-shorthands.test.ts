import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient, isHttpStatusError } from '../src/index.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('head() and options()', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeEach(async () => {
    server = await startTestServer();
    client = createHttpClient({ baseURL: server.origin, retry: false, logger: captureLogs().logger });
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('head() sends HEAD with the request id and resolves with the headers and no body', async () => {
    server.script([{ status: 200, headers: { 'x-items': '3' }, body: '{"ignored":true}' }]);
    const response = await client.head('/items', { params: { limit: 1 } });
    expect(response.status).toBe(200);
    expect(response.headers['x-items']).toBe('3');
    expect(response.data).toBe('');
    expect(server.requests).toEqual([
      expect.objectContaining({ method: 'HEAD', url: '/items?limit=1', body: '' }),
    ]);
    expect(server.requests[0]?.headers['x-request-id']).toMatch(/^req-[0-9a-f]{12}$/);
  });

  it('options() sends OPTIONS and resolves with the answer', async () => {
    server.script([{ status: 200, headers: { allow: 'GET, HEAD, OPTIONS' }, body: '{"ok":true}' }]);
    const response = await client.options<{ ok: boolean }>('/items');
    expect(response.status).toBe(200);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(response.data).toEqual({ ok: true });
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([['OPTIONS', '/items']]);
  });

  it('rejects a non-2xx HEAD with an HttpStatusError naming the method', async () => {
    server.script([{ status: 404 }]);
    const error = await client.head('/missing').catch((e: unknown) => e);
    expect(isHttpStatusError(error) && error.status).toBe(404);
    expect(isHttpStatusError(error) && error.method).toBe('HEAD');
  });
});
