import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClient, HttpClientError, type RetryEvent } from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let client: HttpClient;
let retries: RetryEvent[];

beforeEach(async () => {
  useFakeTime();
  server = await startTestServer();
  retries = [];
  client = createHttpClient({
    baseURL: server.origin,
    retry: { jitter: 'none', retries: 1 },
    retryBudget: false,
    logger: captureLogs().logger,
    hooks: { onRetry: advancingOnRetry(retries) },
  });
});

afterEach(async () => {
  client.close();
  vi.useRealTimers();
  await server.close();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  return error as Error;
}

describe('request config checks', () => {
  it.each([
    ['a null config', () => client.request(null as never), 'request config must be an object, got null'],
    ['a string config', () => client.request('/x' as never), 'request config must be an object, got "/x"'],
    ['a missing url', () => client.request({} as never), 'option url must be a string, got undefined'],
    ['a number url', () => client.request({ url: 7 } as never), 'option url must be a string, got 7'],
    [
      "axios' timeout",
      () => client.get('/x', { timeout: 5 } as never),
      'option timeout is not supported (did you mean timeoutMs?)',
    ],
    ['timeoutMs 0', () => client.get('/x', { timeoutMs: 0 }), 'option timeoutMs must be a number > 0, got 0'],
    [
      'timeoutMs as a string',
      () => client.get('/x', { timeoutMs: '5' as never }),
      'option timeoutMs must be a number > 0, got "5"',
    ],
    [
      'timeoutMs NaN',
      () => client.get('/x', { timeoutMs: Number.NaN }),
      'option timeoutMs must be a number > 0, got NaN',
    ],
    [
      'deadlineMs -1',
      () => client.get('/x', { deadlineMs: -1 }),
      'option deadlineMs must be a number > 0, got -1',
    ],
    ['retries -1', () => client.get('/x', { retries: -1 }), 'option retries must be an integer >= 0, got -1'],
    [
      'retries 0.5',
      () => client.get('/x', { retries: 0.5 }),
      'option retries must be an integer >= 0, got 0.5',
    ],
    [
      'an empty idempotencyKey',
      () => client.post('/x', {}, { idempotencyKey: '' }),
      'option idempotencyKey must be a boolean or a non-empty string, got ""',
    ],
    [
      'a number idempotencyKey',
      () => client.post('/x', {}, { idempotencyKey: 5 as never }),
      'option idempotencyKey must be a boolean or a non-empty string, got 5',
    ],
  ])('rejects %s with a TypeError naming it, and sends nothing', async (_what, call, message) => {
    const error = await rejection(call());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
    expect(server.hits).toBe(0);
  });

  it('accepts retries 0, idempotencyKey true and false, and a request() without method (GET)', async () => {
    await expect(client.get('/x', { retries: 0 })).resolves.toMatchObject({ status: 200 });
    await client.post('/x', {}, { idempotencyKey: true });
    await client.post('/x', {}, { idempotencyKey: false });
    await client.request({ url: '/y' });
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/x'],
      ['POST', '/x'],
      ['POST', '/x'],
      ['GET', '/y'],
    ]);
    expect(server.requests[1]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.requests[2]?.headers['idempotency-key']).toBeUndefined();
  });

  it('names a URL it cannot send without a baseURL, without sending anything', async () => {
    const bare = createHttpClient({ logger: captureLogs().logger });
    const error = await rejection(bare.get('/orders?token=secret'));
    bare.close();
    expect(error).toBeInstanceOf(HttpClientError);
    expect(error).toMatchObject({ code: 'ERR_HTTP_REQUEST', method: 'GET', url: '/orders', attempts: 0 });
    expect(error.message).toContain('could not be sent: the URL is not absolute (set baseURL?)');
  });

  it("uses a call's baseURL over the client's", async () => {
    const other = await startTestServer();
    await client.get('/z', { baseURL: other.origin });
    expect(other.hits).toBe(1);
    expect(server.hits).toBe(0);
    await other.close();
  });
});

describe('which methods are retried', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])('retries %s on a 503', async (method) => {
    server.script([{ status: 503 }]);
    await client.request({ url: '/r', method });
    expect(server.hits).toBe(2);
    expect(retries).toHaveLength(1);
  });

  it.each(['POST', 'PATCH'])('retries %s only with an Idempotency-Key', async (method) => {
    server.script([{ status: 503 }, { status: 503 }]);
    const error = await rejection(client.request({ url: '/r', method, idempotencyKey: false }));
    expect(error).toMatchObject({ status: 503, giveUpReason: 'not-idempotent' });
    expect(error.message).toContain(`${method} is retried only with an Idempotency-Key header`);
    expect(server.hits).toBe(1);
    await client.request({ url: '/r', method, headers: { 'Idempotency-Key': 'k-1' } });
    expect(server.hits).toBe(3);
    expect(server.requests.slice(1).map((r) => r.headers['idempotency-key'])).toEqual(['k-1', 'k-1']);
  });

  it('never retries another method (a non-standard one), even with a key', async () => {
    server.script([{ status: 503 }]);
    const error = await rejection(
      client.request({ url: '/r', method: 'PURGE', headers: { 'Idempotency-Key': 'k' } }),
    );
    expect(error).toMatchObject({ status: 503, giveUpReason: 'not-idempotent' });
    expect(server.hits).toBe(1);
  });
});

describe('headers', () => {
  it('merges client and call headers, the call winning, and sends the call headers as given', async () => {
    const withDefaults = createHttpClient({
      baseURL: server.origin,
      headers: { 'X-Client': 'a', 'X-Both': 'client' },
      logger: captureLogs().logger,
    });
    await withDefaults.get('/h', { headers: { 'X-Both': 'call', 'X-Call': 'b' } });
    await withDefaults.get('/h', { headers: null as never });
    withDefaults.close();
    const [first, second] = server.requests;
    expect(first?.headers).toMatchObject({ 'x-client': 'a', 'x-both': 'call', 'x-call': 'b' });
    expect(second?.headers).toMatchObject({ 'x-client': 'a', 'x-both': 'client' });
    expect(second?.headers['x-call']).toBeUndefined();
  });
});
