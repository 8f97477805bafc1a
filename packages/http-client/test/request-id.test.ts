import { REQUEST_ID_HEADER as LOGGING_REQUEST_ID_HEADER, runWithRequestContext } from '@resilience/logging';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClient, REQUEST_ID_HEADER } from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { type CapturedLogs, captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

describe('X-Request-ID propagation', () => {
  let server: TestServer;
  let client: HttpClient;
  let logs: CapturedLogs;

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
    logs = captureLogs();
    client = createHttpClient({
      baseURL: server.origin,
      retry: { jitter: 'none' },
      logger: logs.logger,
      hooks: { onRetry: advancingOnRetry() },
    });
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it("sends the caller's request id on every attempt", async () => {
    server.script([{ status: 503 }, 'reset']);
    await runWithRequestContext('req-caller-1', () => client.get('/x'));
    expect(server.requests.map((r) => r.headers['x-request-id'])).toEqual([
      'req-caller-1',
      'req-caller-1',
      'req-caller-1',
    ]);
  });

  it('puts the request id, method, url without query, attempt, delay and reason on each retry warning', async () => {
    server.script([{ status: 503 }, { status: 429, headers: { 'retry-after': '2' } }]);
    await runWithRequestContext('req-caller-2', () => client.get('/items?apiKey=secret'));
    const warnings = logs.lines.filter((l) => l.msg === 'retrying outbound call');
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 'warn',
        requestId: 'req-caller-2',
        method: 'GET',
        url: `${server.origin}/items`,
        attempt: 1,
        delayMs: 1000,
        reason: '503',
      }),
      expect.objectContaining({
        requestId: 'req-caller-2',
        attempt: 2,
        delayMs: 2000,
        reason: '429',
        retryAfterMs: 2000,
      }),
    ]);
    expect(JSON.stringify(logs.lines)).not.toContain('secret');
  });

  it('outside a request generates one id per logical call, the same on every attempt and in the logs', async () => {
    server.script([{ status: 500 }]);
    await client.get('/a');
    await client.get('/b');
    const ids = server.requests.map((r) => r.headers['x-request-id']);
    expect(ids[0]).toMatch(/^req-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(logs.lines.find((l) => l.msg === 'retrying outbound call')?.requestId).toBe(ids[0]);
  });

  it("sends the request context's id rather than an X-Request-ID among the client's default headers", async () => {
    const withDefault = createHttpClient({
      baseURL: server.origin,
      headers: { 'X-Request-ID': 'client-default' },
      logger: logs.logger,
    });
    try {
      await runWithRequestContext('req-context-9', () => withDefault.get('/x'));
      await withDefault.get('/y');
    } finally {
      withDefault.close();
    }
    const [inside, outside] = server.requests;
    expect(inside?.headers['x-request-id']).toBe('req-context-9');
    // Outside a request context the client default is the fallback.
    expect(outside?.headers['x-request-id']).toBe('client-default');
    // One header on the wire, not the default's spelling next to the chosen id.
    expect(
      server.requests.map((r) =>
        r.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-request-id'),
      ),
    ).toEqual([['x-request-id'], ['x-request-id']]);
  });

  it("keeps an X-Request-ID set on the call over the request context and the client's default", async () => {
    const withDefault = createHttpClient({
      baseURL: server.origin,
      headers: { 'x-request-id': 'client-default' },
      logger: logs.logger,
    });
    try {
      await runWithRequestContext('req-context-10', () =>
        withDefault.get('/x', { headers: { 'X-Request-ID': 'job-78' } }),
      );
    } finally {
      withDefault.close();
    }
    expect(server.requests[0]?.headers['x-request-id']).toBe('job-78');
  });

  it('sends the header named by REQUEST_ID_HEADER, the constant @resilience/logging reads inbound', () => {
    expect(REQUEST_ID_HEADER).toBe(LOGGING_REQUEST_ID_HEADER);
  });

  it('keeps an X-Request-ID header the caller set', async () => {
    await runWithRequestContext('req-context', () =>
      client.get('/x', { headers: { 'x-request-id': 'job-77' } }),
    );
    expect(server.requests[0]?.headers['x-request-id']).toBe('job-77');
  });
});
