import { formatTraceparent, parseTraceparent, runWithRequestContext } from '@resilience/logging';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClient } from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { type RecordedRequest, startTestServer, type TestServer } from './helpers/test-server.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const REQUEST_SPAN_ID = '00f067aa0ba902b7';
const REQUEST_TRACE = { traceId: TRACE_ID, spanId: REQUEST_SPAN_ID, traceFlags: 1 };
const TRACESTATE = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';

function traceparents(requests: readonly RecordedRequest[]) {
  return requests.map((r) => parseTraceparent(r.headers.traceparent));
}

describe('W3C trace context on outbound attempts', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeEach(async () => {
    useFakeTime();
    server = await startTestServer();
    client = createHttpClient({
      baseURL: server.origin,
      retry: { jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry() },
    });
  });
  afterEach(async () => {
    client.close();
    vi.useRealTimers();
    await server.close();
  });

  it("sends the request's trace id on every attempt, each attempt with a parent id of its own", async () => {
    server.script([{ status: 503 }, 'reset', { status: 502 }]);
    await runWithRequestContext('req-trace-1', () => client.get('/x'), {
      ...REQUEST_TRACE,
      tracestate: TRACESTATE,
    });
    expect(server.hits).toBe(4);
    const parents = traceparents(server.requests);
    expect(parents.map((p) => p?.version)).toEqual(['00', '00', '00', '00']);
    expect(parents.map((p) => p?.traceId)).toEqual([TRACE_ID, TRACE_ID, TRACE_ID, TRACE_ID]);
    expect(parents.map((p) => p?.traceFlags)).toEqual([1, 1, 1, 1]);
    const parentIds = parents.map((p) => p?.parentId);
    expect(new Set(parentIds).size).toBe(4);
    expect(parentIds).not.toContain(REQUEST_SPAN_ID);
    expect(server.requests.map((r) => r.headers.tracestate)).toEqual(Array(4).fill(TRACESTATE));
  });

  it('passes the trace flags on as they are (unsampled stays unsampled)', async () => {
    await runWithRequestContext('req-trace-2', () => client.get('/x'), { ...REQUEST_TRACE, traceFlags: 0 });
    expect(server.requests[0]?.headers.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(server.requests[0]?.headers.tracestate).toBeUndefined();
  });

  it('outside any request starts one trace per logical call, the same on all its attempts', async () => {
    server.script([{ status: 500 }]);
    await client.get('/a');
    await client.get('/b');
    const [first, retry, other] = traceparents(server.requests);
    expect(first?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(retry?.traceId).toBe(first?.traceId);
    expect(retry?.parentId).not.toBe(first?.parentId);
    expect(other?.traceId).not.toBe(first?.traceId);
    expect([first?.traceFlags, retry?.traceFlags, other?.traceFlags]).toEqual([1, 1, 1]);
  });

  it('inside a request context without a trace also starts a trace per call', async () => {
    await runWithRequestContext('job-1', () => client.get('/x'));
    expect(parseTraceparent(server.requests[0]?.headers.traceparent)?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps a traceparent (and tracestate) set on the call, on every attempt', async () => {
    server.script([{ status: 503 }]);
    const own = formatTraceparent({ traceId: 'a'.repeat(32), parentId: 'b'.repeat(16), traceFlags: 0 });
    await runWithRequestContext(
      'req-trace-3',
      () => client.get('/x', { headers: { TraceParent: own, tracestate: 'mine=1' } }),
      { ...REQUEST_TRACE, tracestate: TRACESTATE },
    );
    expect(server.requests.map((r) => [r.headers.traceparent, r.headers.tracestate])).toEqual([
      [own, 'mine=1'],
      [own, 'mine=1'],
    ]);
  });

  it("sends the context's traceparent next to a tracestate set on the call, keeping the caller's", async () => {
    await runWithRequestContext(
      'req-trace-4',
      () => client.get('/x', { headers: { tracestate: 'mine=1' } }),
      {
        ...REQUEST_TRACE,
        tracestate: TRACESTATE,
      },
    );
    expect(parseTraceparent(server.requests[0]?.headers.traceparent)?.traceId).toBe(TRACE_ID);
    expect(server.requests[0]?.headers.tracestate).toBe('mine=1');
  });

  it("replaces trace headers among the client's default headers: one of each on the wire", async () => {
    const withDefaults = createHttpClient({
      baseURL: server.origin,
      headers: { Traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01`, TraceState: 'stale=1' },
      logger: captureLogs().logger,
    });
    try {
      await runWithRequestContext('req-trace-5', () => withDefaults.get('/x'), REQUEST_TRACE);
    } finally {
      withDefaults.close();
    }
    const [sent] = server.requests;
    expect(parseTraceparent(sent?.headers.traceparent)?.traceId).toBe(TRACE_ID);
    expect(sent?.headers.tracestate).toBeUndefined();
    const names = sent?.rawHeaders.filter((_h, i) => i % 2 === 0).map((h) => h.toLowerCase());
    expect(names?.filter((n) => n === 'traceparent')).toEqual(['traceparent']);
  });

  it("does not change the caller's headers object", async () => {
    const headers = { accept: 'application/json' };
    await runWithRequestContext('req-trace-6', () => client.get('/x', { headers }), REQUEST_TRACE);
    expect(headers).toEqual({ accept: 'application/json' });
  });
});
