import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHttpClient,
  type HttpClient,
  type RetryEvent,
  type RetryOptions,
  type ShouldRetryContext,
} from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { type CapturedLogs, captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let client: HttpClient | undefined;
let retries: RetryEvent[];
let logs: CapturedLogs;

function make(retry: RetryOptions = {}): HttpClient {
  logs = captureLogs();
  client = createHttpClient({
    baseURL: server.origin,
    retry: { jitter: 'none', retries: 1, ...retry },
    retryBudget: false,
    idempotencyKey: false,
    logger: logs.logger,
    hooks: { onRetry: advancingOnRetry(retries) },
  });
  return client;
}

beforeEach(async () => {
  useFakeTime();
  retries = [];
  server = await startTestServer();
});

afterEach(async () => {
  client?.close();
  client = undefined;
  vi.useRealTimers();
  await server.close();
});

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('retry.statusCodes', () => {
  it('retries only the statuses listed', async () => {
    const http = make({ statusCodes: [503, 404] });
    server.script([{ status: 500 }]);
    expect(await failure(http.get('/a'))).toMatchObject({ status: 500, giveUpReason: 'not-retryable' });
    server.script([{ status: 404 }]);
    await expect(http.get('/b')).resolves.toMatchObject({ status: 200 });
    expect(server.hits).toBe(3);
    expect(retries.map((retry) => retry.reason)).toEqual(['404']);
  });

  it('rejects anything but an array of HTTP statuses, naming the option', () => {
    expect(() => make({ statusCodes: 503 as never })).toThrow(
      'option retry.statusCodes must be an array of HTTP statuses, got 503',
    );
    expect(() => make({ statusCodes: [503, 99] })).toThrow(
      'option retry.statusCodes must hold HTTP statuses from 100 to 599, got 99',
    );
    expect(() => make({ statusCodes: [600] })).toThrow('got 600');
    expect(() => make({ statusCodes: [503.5] })).toThrow('got 503.5');
  });
});

describe('retry.methods', () => {
  it('retries only the methods listed, in any case', async () => {
    const http = make({ methods: ['get'] });
    server.script([{ status: 503 }, { status: 503 }]);
    expect(await failure(http.put('/a', {}))).toMatchObject({ status: 503, giveUpReason: 'not-idempotent' });
    await expect(http.get('/b')).resolves.toMatchObject({ status: 200 });
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'GET']);
  });

  it('refuses POST and PATCH, which need an Idempotency-Key, and anything that is not a method name', () => {
    expect(() => make({ methods: ['GET', 'post'] })).toThrow(
      'option retry.methods cannot hold POST: it is retried only with an Idempotency-Key header or idempotent: true on the call, got "post"',
    );
    expect(() => make({ methods: ['PATCH'] })).toThrow('cannot hold PATCH');
    expect(() => make({ methods: ['GET /x'] })).toThrow(
      'option retry.methods must hold HTTP method names, got "GET /x"',
    );
    expect(() => make({ methods: 'GET' as never })).toThrow(
      'option retry.methods must be an array of HTTP methods, got "GET"',
    );
  });
});

describe('retry.shouldRetry', () => {
  it('is told about each failed attempt and its verdict wins: true retries a 400, false stops a 503', async () => {
    const seen: ShouldRetryContext[] = [];
    const http = make({
      retries: 2,
      shouldRetry: (context) => {
        seen.push(context);
        if (context.status === 400) return true;
        if (context.status === 503) return false;
        return undefined;
      },
    });
    server.script([{ status: 400 }, { status: 502 }, { status: 503 }]);
    expect(await failure(http.get('/x?token=secret'))).toMatchObject({
      status: 503,
      attempts: 3,
      giveUpReason: 'not-retryable',
    });
    expect(
      seen.map(({ attempt, method, url, status, reason, retryable }) => [
        attempt,
        method,
        url,
        status,
        reason,
        retryable,
      ]),
    ).toEqual([
      [1, 'GET', `${server.origin}/x`, 400, '400', false],
      [2, 'GET', `${server.origin}/x`, 502, '502', true],
      [3, 'GET', `${server.origin}/x`, 503, '503', true],
    ]);
    expect(seen[0]?.error).toMatchObject({ status: 400 });
  });

  it('cannot retry what is not idempotent, nor past retries', async () => {
    const shouldRetry = vi.fn(() => true);
    const http = make({ retries: 1, shouldRetry });
    server.script([{ status: 503 }, { status: 503 }, { status: 503 }]);
    expect(await failure(http.post('/p', {}))).toMatchObject({ giveUpReason: 'not-idempotent' });
    expect(await failure(http.get('/g'))).toMatchObject({ attempts: 2, giveUpReason: 'retries-exhausted' });
    expect(server.hits).toBe(3);
  });

  it('keeps the built-in verdict when it throws, and logs the throw', async () => {
    const http = make({
      shouldRetry: () => {
        throw new Error('buggy predicate');
      },
    });
    server.script([{ status: 503 }]);
    await expect(http.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', hook: 'retry.shouldRetry', msg: 'hook threw; ignored' }),
    );
  });

  it('must be a function', () => {
    expect(() => make({ shouldRetry: true as never })).toThrow(
      'option retry.shouldRetry must be a function, got true',
    );
  });
});

describe('idempotent on a call', () => {
  it('true retries a POST without an Idempotency-Key, and sends none', async () => {
    const http = make();
    server.script([{ status: 503 }]);
    await expect(http.post('/p', { a: 1 }, { idempotent: true })).resolves.toMatchObject({ status: 200 });
    expect(server.hits).toBe(2);
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual([undefined, undefined]);
  });

  it('false never retries, even a GET', async () => {
    const http = make();
    server.script([{ status: 503 }]);
    expect(await failure(http.get('/g', { idempotent: false }))).toMatchObject({
      giveUpReason: 'not-idempotent',
    });
    expect(server.hits).toBe(1);
  });

  it('must be a boolean', async () => {
    const http = make();
    expect(await failure(http.get('/g', { idempotent: 'yes' as never }))).toMatchObject({
      message: 'option idempotent must be a boolean, got "yes"',
    });
    expect(server.hits).toBe(0);
  });
});
