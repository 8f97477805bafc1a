import { context, createTraceState, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { parseTraceparent, runWithRequestContext } from '@resilience/logging';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient, type HttpClient } from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('http-client-test');
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});

describe('outbound trace headers under OpenTelemetry (real SDK)', () => {
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
    exporter.reset();
    await server.close();
  });

  it("sends the active span's trace id, its span id as the parent and its trace state, on every attempt", async () => {
    server.script([{ status: 503 }, 'reset']);
    // A remote parent with a trace state, as a propagator would have extracted it.
    const remote: SpanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
      traceState: createTraceState('rojo=00f067aa0ba902b7'),
    };
    const parent = trace.setSpanContext(ROOT_CONTEXT, remote);
    // The request context's own trace loses to the active span.
    const requestTrace = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 };
    const ids = await runWithRequestContext(
      'req-otel-1',
      () =>
        tracer.startActiveSpan('checkout', {}, parent, async (span) => {
          await client.get('/x');
          span.end();
          return span.spanContext();
        }),
      requestTrace,
    );
    expect(exporter.getFinishedSpans().map((s) => s.spanContext().spanId)).toEqual([ids.spanId]);
    expect(ids.traceId).toBe(remote.traceId);
    expect(server.requests.map((r) => parseTraceparent(r.headers.traceparent))).toEqual(
      Array(3).fill({ version: '00', traceId: remote.traceId, parentId: ids.spanId, traceFlags: 1 }),
    );
    expect(server.requests.map((r) => r.headers.tracestate)).toEqual(Array(3).fill('rojo=00f067aa0ba902b7'));
  });

  it('falls back to the request context once the span is no longer active', async () => {
    const requestTrace = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 };
    await runWithRequestContext(
      'req-otel-2',
      async () => {
        tracer.startActiveSpan('done before the call', (span) => span.end());
        await client.get('/x');
      },
      requestTrace,
    );
    const sent = parseTraceparent(server.requests[0]?.headers.traceparent);
    expect(sent).toMatchObject({ traceId: 'a'.repeat(32), traceFlags: 0 });
    expect(sent?.parentId).not.toBe('b'.repeat(16));
  });
});
