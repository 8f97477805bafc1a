import { parseTraceparent } from '@resilience/logging';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConsumerHandle, type MockApiHandle, startConsumer, startMockApi } from './helpers/stack.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_PARENT_ID = '00f067aa0ba902b7';

describe('W3C trace context from the caller through the consumer to mock-api', () => {
  let upstream: MockApiHandle;
  let consumer: ConsumerHandle;

  beforeEach(async () => {
    upstream = await startMockApi();
    consumer = await startConsumer(upstream);
  });

  afterEach(async () => {
    await consumer.close();
    await upstream.close();
  });

  it("puts the caller's trace id on both services' lines, each service with a span id of its own", async () => {
    const response = await consumer.request('/catalog/7', {
      headers: {
        'x-request-id': 'req-trace-e2e',
        traceparent: `00-${TRACE_ID}-${CALLER_PARENT_ID}-01`,
        tracestate: 'rojo=00f067aa0ba902b7',
      },
    });
    expect(response.status).toBe(200);

    const consumerLines = consumer.logs.forRequest('req-trace-e2e');
    expect(consumerLines.length).toBeGreaterThan(0);
    const consumerSpan = consumerLines[0]?.span_id;
    expect(consumerSpan).toMatch(/^[0-9a-f]{16}$/);
    expect(consumerSpan).not.toBe(CALLER_PARENT_ID);
    for (const line of consumerLines)
      expect(line).toMatchObject({ trace_id: TRACE_ID, span_id: consumerSpan });

    // What went over the wire: the same trace, the consumer's attempt as the parent, the tracestate unchanged.
    const sent = upstream.hits.map((hit) => parseTraceparent(hit.headers.traceparent));
    expect(sent).toEqual([
      { version: '00', traceId: TRACE_ID, parentId: expect.stringMatching(/^[0-9a-f]{16}$/), traceFlags: 1 },
    ]);
    expect(sent[0]?.parentId).not.toBe(CALLER_PARENT_ID);
    expect(sent[0]?.parentId).not.toBe(consumerSpan);
    expect(upstream.hits[0]?.headers.tracestate).toBe('rojo=00f067aa0ba902b7');

    const upstreamLines = upstream.logs.forRequest('req-trace-e2e');
    const completed = upstreamLines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({ path: '/api/items/7', status: 200, trace_id: TRACE_ID });
    const upstreamSpan = completed?.span_id;
    expect(upstreamSpan).toMatch(/^[0-9a-f]{16}$/);
    expect([CALLER_PARENT_ID, consumerSpan, sent[0]?.parentId]).not.toContain(upstreamSpan);
  });

  it('starts one trace at the consumer when the caller sends none, and mock-api continues it', async () => {
    const response = await consumer.request('/catalog/7', { headers: { 'x-request-id': 'req-trace-new' } });
    expect(response.status).toBe(200);
    const traceId = consumer.logs.forRequest('req-trace-new')[0]?.trace_id;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const completed = upstream.logs
      .forRequest('req-trace-new')
      .find((line) => line.msg === 'request completed');
    expect(completed?.trace_id).toBe(traceId);
  });
});
