import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, createProtection, type HttpClientOptions } from '../src/index.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

describe('options handling', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('never mutates the client options or a request config (both deeply frozen)', async () => {
    const logged: string[] = [];
    const record = (_fields: object, msg: string): void => {
      logged.push(msg);
    };
    const options: HttpClientOptions = deepFreeze({
      baseURL: server.origin,
      headers: { 'x-team': 'orders' },
      retry: { retries: 1, jitter: 'none' as const },
      breaker: { failureThreshold: 2 },
      retryBudget: { ratio: 0.5 },
      idempotencyKey: true,
      hooks: {},
      logger: { warn: record, info: record, debug: record },
    });
    // The frozen object itself, not a copy: a write to any of its properties throws in strict mode.
    const client = createHttpClient(options);
    const config = deepFreeze({ headers: { 'x-call': '1' }, params: { q: 'a' }, timeoutMs: 1000 });
    server.script([{ status: 404 }]);
    // A 404 is logged (debug) at once: the frozen logger is used, not a copy of it.
    await expect(client.get('/missing', config)).rejects.toThrow(/status 404/);
    await client.get('/x', config);
    await client.post('/y', { a: 1 }, config);
    client.close();
    expect(server.requests.map((r) => [r.headers['x-team'], r.headers['x-call']])).toEqual([
      ['orders', '1'],
      ['orders', '1'],
      ['orders', '1'],
    ]);
    expect(config.headers).toEqual({ 'x-call': '1' });
    expect(logged).toContain('outbound call failed');
  });

  it('throws a TypeError naming the option at construction', () => {
    expect(() => createHttpClient({ timeoutMs: -5 })).toThrow(
      new TypeError('option timeoutMs must be a number > 0 and <= 2147483647, got -5'),
    );
    expect(() => createHttpClient({ retry: { jitter: 'half' as never } })).toThrow(/option retry\.jitter/);
    expect(() => createProtection({ breaker: { failureThreshold: 0 } })).toThrow(
      /option breaker\.failureThreshold/,
    );
  });

  it('rejects bad per-call options with a TypeError naming the option', async () => {
    const client = createHttpClient({ baseURL: server.origin, logger: captureLogs().logger });
    await expect(client.get('/x', { timeoutMs: 0 })).rejects.toThrow(/option timeoutMs must be a number > 0/);
    await expect(client.get('/x', { retries: -1 })).rejects.toThrow(/option retries/);
    await expect(client.post('/x', {}, { idempotencyKey: '' })).rejects.toThrow(/option idempotencyKey/);
    client.close();
    expect(server.hits).toBe(0);
  });
});
