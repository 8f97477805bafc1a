import express, { type Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger, getTraceContext, httpLogger, runWithRequestContext } from '../src/index.js';
import { createMemoryDestination, type LogLine } from './helpers/memory-destination.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;
const SPAN_ID = /^[0-9a-f]{16}$/;
const NEW_TRACE_ID = /^[0-9a-f]{32}$/;

/** An app whose handler logs through the shared base logger (never sees req) and answers the trace context. */
function traceApp() {
  const destination = createMemoryDestination();
  const logger = createLogger({ destination, level: 'debug', service: 'trace-test' });
  const app: Express = express();
  app.use(httpLogger({ logger }));
  app.get('/work', async (req, res) => {
    await Promise.resolve();
    logger.info('from the base logger');
    req.log.info('from req.log');
    res.json({ requestId: req.id, trace: getTraceContext() });
  });
  const linesOf = (requestId: string): LogLine[] =>
    destination.lines().filter((line) => line.requestId === requestId);
  return { app, destination, linesOf };
}

describe('httpLogger: W3C trace context', () => {
  it('continues a valid inbound trace with a span id of its own on every line of the request', async () => {
    const { app, linesOf } = traceApp();
    const res = await request(app)
      .get('/work')
      .set('traceparent', TRACEPARENT)
      .set('tracestate', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')
      .set('x-request-id', 'req-trace-1');
    expect(res.body.requestId).toBe('req-trace-1');
    const trace = res.body.trace;
    expect(trace).toEqual({
      traceId: TRACE_ID,
      spanId: expect.stringMatching(SPAN_ID),
      traceFlags: 1,
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      source: 'request',
    });
    expect(trace.spanId).not.toBe(PARENT_ID);
    const lines = linesOf('req-trace-1');
    expect(lines.map((l) => l.msg)).toEqual(['from the base logger', 'from req.log', 'request completed']);
    for (const line of lines) {
      expect(line).toMatchObject({ requestId: 'req-trace-1', trace_id: TRACE_ID, span_id: trace.spanId });
    }
  });

  it('writes trace_id and span_id once per line, beside requestId', async () => {
    const { app, destination } = traceApp();
    await request(app).get('/work').set('traceparent', TRACEPARENT);
    for (const raw of destination.raw) {
      expect(raw.match(/"trace_id":/g)).toHaveLength(1);
      expect(raw.match(/"span_id":/g)).toHaveLength(1);
      expect(raw.match(/"requestId":/g)).toHaveLength(1);
    }
    expect(destination.raw[0]).toMatch(
      /"requestId":"[^"]+","trace_id":"[0-9a-f]{32}","span_id":"[0-9a-f]{16}"/,
    );
  });

  it('starts a new trace, with flags 01, when no traceparent arrives', async () => {
    const { app } = traceApp();
    const first = await request(app).get('/work');
    const second = await request(app).get('/work');
    expect(first.body.trace).toEqual({
      traceId: expect.stringMatching(NEW_TRACE_ID),
      spanId: expect.stringMatching(SPAN_ID),
      traceFlags: 1,
      source: 'request',
    });
    expect(second.body.trace.traceId).not.toBe(first.body.trace.traceId);
  });

  it.each([
    ['uppercase hex', `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ['version ff', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
    ['an all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['wrong length', `00-${TRACE_ID}-${PARENT_ID}-1`],
    ['an extra field on version 00', `${TRACEPARENT}-extra`],
  ])('ignores a traceparent with %s: a new trace starts, the value is never logged', async (_name, value) => {
    const { app, destination } = traceApp();
    const res = await request(app)
      .get('/work')
      .set('traceparent', value)
      .set('tracestate', 'rojo=00f067aa0ba902b7')
      .set('x-request-id', 'req-bad-trace');
    expect(res.body.requestId).toBe('req-bad-trace');
    expect(res.body.trace.traceId).toMatch(NEW_TRACE_ID);
    expect(res.body.trace.traceId).not.toBe(TRACE_ID);
    // tracestate is only valid next to a valid traceparent.
    expect(res.body.trace.tracestate).toBeUndefined();
    expect(destination.raw.join('')).not.toContain(TRACE_ID);
    expect(destination.raw.join('')).not.toContain(TRACE_ID.toUpperCase());
    expect(destination.raw.join('')).not.toContain(PARENT_ID);
  });

  it('reads a later version by its first four fields', async () => {
    const { app } = traceApp();
    const res = await request(app)
      .get('/work')
      .set('traceparent', `cc-${TRACE_ID}-${PARENT_ID}-01-future-field`);
    expect(res.body.trace).toMatchObject({ traceId: TRACE_ID, traceFlags: 1 });
  });

  it('drops an invalid or over-long tracestate and keeps the trace', async () => {
    const { app } = traceApp();
    const invalid = await request(app)
      .get('/work')
      .set('traceparent', TRACEPARENT)
      .set('tracestate', 'Bad Key=1');
    expect(invalid.body.trace).toMatchObject({ traceId: TRACE_ID });
    expect(invalid.body.trace.tracestate).toBeUndefined();
    const long = await request(app)
      .get('/work')
      .set('traceparent', TRACEPARENT)
      .set('tracestate', `k=${'v'.repeat(255)},l=${'v'.repeat(255)}`);
    expect(long.body.trace).toMatchObject({ traceId: TRACE_ID });
    expect(long.body.trace.tracestate).toBeUndefined();
  });

  it('leaves X-Request-ID as it was: echoed, or generated, whatever the traceparent', async () => {
    const { app } = traceApp();
    const res = await request(app)
      .get('/work')
      .set('traceparent', TRACEPARENT)
      .set('x-request-id', 'upstream-1');
    expect(res.headers['x-request-id']).toBe('upstream-1');
    const generated = await request(app).get('/work').set('traceparent', TRACEPARENT);
    expect(generated.headers['x-request-id']).toMatch(/^req-[0-9a-f]{12}$/);
    expect(res.headers.traceparent).toBeUndefined();
  });
});

describe('runWithRequestContext with a trace', () => {
  it('puts the given trace on lines and in getTraceContext()', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination });
    const seen = runWithRequestContext(
      'job-1',
      () => {
        logger.info('job step');
        return getTraceContext();
      },
      { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 0 },
    );
    expect(seen).toEqual({
      traceId: TRACE_ID,
      spanId: PARENT_ID,
      traceFlags: 0,
      tracestate: undefined,
      source: 'request',
    });
    expect(destination.lines()[0]).toMatchObject({
      requestId: 'job-1',
      trace_id: TRACE_ID,
      span_id: PARENT_ID,
    });
  });

  it('adds no trace fields without one, and none outside any context', () => {
    const destination = createMemoryDestination();
    const logger = createLogger({ destination });
    runWithRequestContext('job-2', () => logger.info('inside'));
    logger.info('outside');
    const [inside, outside] = destination.lines();
    expect(inside).toMatchObject({ requestId: 'job-2' });
    expect(inside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('span_id');
    expect(getTraceContext()).toBeUndefined();
  });

  it('refuses an invalid trace with a TypeError naming the field', () => {
    const fn = () => undefined;
    expect(() =>
      runWithRequestContext('job-3', fn, { traceId: 'x', spanId: PARENT_ID, traceFlags: 0 }),
    ).toThrow(/trace\.traceId must be/);
    expect(() =>
      runWithRequestContext('job-3', fn, { traceId: TRACE_ID, spanId: '0'.repeat(16), traceFlags: 0 }),
    ).toThrow(/trace\.spanId must be/);
    expect(() =>
      runWithRequestContext('job-3', fn, { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: -1 }),
    ).toThrow(/trace\.traceFlags must be/);
    expect(() =>
      runWithRequestContext('job-3', fn, {
        traceId: TRACE_ID,
        spanId: PARENT_ID,
        traceFlags: 0,
        tracestate: 'A=1',
      }),
    ).toThrow(/trace\.tracestate must be/);
  });
});
