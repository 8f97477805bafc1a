import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import express, { type Express } from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, getTraceContext, httpLogger, runWithRequestContext } from '../src/index.js';
import { createMemoryDestination } from './helpers/memory-destination.js';

const INBOUND_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('logging-test');
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterEach(() => {
  exporter.reset();
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});

describe('log fields under OpenTelemetry (real SDK)', () => {
  it("puts the active span's trace id and span id on lines outside any request", () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination });
    let span: Span | undefined;
    tracer.startActiveSpan('job', (active) => {
      span = active;
      logger.info('inside the span');
      active.end();
    });
    logger.info('after the span');
    const ids = span?.spanContext();
    const [inside, after] = destination.lines();
    expect(inside).toMatchObject({ trace_id: ids?.traceId, span_id: ids?.spanId });
    expect(after).not.toHaveProperty('trace_id');
    // The ids are those of a span the SDK really recorded and exported.
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.spanContext().spanId])).toEqual([
      ['job', ids?.spanId],
    ]);
  });

  it("prefers the active span over the request context's trace, and returns it from getTraceContext()", () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination });
    const requestTrace = { traceId: INBOUND_TRACE_ID, spanId: '1111111111111111', traceFlags: 1 };
    const seen = runWithRequestContext(
      'req-otel-1',
      () =>
        tracer.startActiveSpan('inner', (span) => {
          logger.info('in the inner span');
          span.end();
          return { current: getTraceContext(), ids: span.spanContext() };
        }),
      requestTrace,
    );
    expect(seen.current).toEqual({
      traceId: seen.ids.traceId,
      spanId: seen.ids.spanId,
      traceFlags: 1,
      tracestate: undefined,
      source: 'opentelemetry',
    });
    expect(destination.lines()[0]).toMatchObject({
      requestId: 'req-otel-1',
      trace_id: seen.ids.traceId,
      span_id: seen.ids.spanId,
    });
  });

  it('takes the server span an instrumentation made active as the request trace, not the inbound header', async () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination });
    const app: Express = express();
    app.use(httpLogger({ logger }));
    app.get('/work', (req, res) => {
      tracer.startActiveSpan('handler step', (step) => {
        logger.info('in a nested span');
        step.end();
      });
      req.log.info('from req.log');
      res.json({ trace: getTraceContext() });
    });
    // What an HTTP instrumentation does: the server span is active while the app handles the request.
    let server: Span | undefined;
    const instrumented = (req: IncomingMessage, res: ServerResponse) => {
      server = tracer.startSpan('GET /work');
      res.on('close', () => server?.end());
      context.with(trace.setSpan(context.active(), server), () => app(req, res));
    };
    const res = await request(instrumented)
      .get('/work')
      .set('traceparent', `00-${INBOUND_TRACE_ID}-00f067aa0ba902b7-01`)
      .set('x-request-id', 'req-otel-2');
    const serverIds = server?.spanContext();
    expect(res.body.trace).toMatchObject({ traceId: serverIds?.traceId, spanId: serverIds?.spanId });
    const step = exporter.getFinishedSpans().find((s) => s.name === 'handler step');
    const lines = destination.lines();
    expect(lines.map((l) => [l.msg, l.trace_id, l.span_id])).toEqual([
      ['in a nested span', serverIds?.traceId, step?.spanContext().spanId],
      ['from req.log', serverIds?.traceId, serverIds?.spanId],
      ['request completed', serverIds?.traceId, serverIds?.spanId],
    ]);
    expect(lines.every((l) => l.requestId === 'req-otel-2')).toBe(true);
  });
});
