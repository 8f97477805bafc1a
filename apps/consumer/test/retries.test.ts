import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConsumerHandle,
  type MockApiHandle,
  sampleValue,
  startConsumer,
  startMockApi,
} from './helpers/stack.js';

describe('transient upstream failures', () => {
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

  it('absorbs 2 injected 503s: the user sees 200 and mock-api saw 3 attempts', async () => {
    await upstream.setFaults({ failNext: 2, errorStatus: 503 });
    const response = await consumer.request('/catalog');
    expect(response.status).toBe(200);
    expect(response.headers['x-cache']).toBe('miss');
    expect(upstream.hits).toHaveLength(3);
    expect(upstream.hits.every((hit) => hit.path === '/api/items')).toBe(true);

    const text = await consumer.metrics();
    expect(sampleValue(text, 'upstream_retries_total', { upstream: upstream.url, reason: '503' })).toBe(2);
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'http_5xx' })).toBe(2);
    expect(sampleValue(text, 'upstream_requests_total', { outcome: 'success' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { route: '/catalog', status: '200' })).toBe(1);
  });

  it('carries one request id to every attempt and onto the log lines of both services', async () => {
    const id = 'req-propagation-check-1';
    await upstream.setFaults({ failNext: 2, errorStatus: 503 });
    const response = await consumer.request('/catalog/4', { headers: { 'x-request-id': id } });
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe(id);

    // Every attempt that reached mock-api carried the same id, and mock-api answered with it.
    expect(upstream.hits).toHaveLength(3);
    expect(upstream.hits.map((hit) => hit.headers['x-request-id'])).toEqual([id, id, id]);

    // Consumer: one warn line per retry and the completion line, all with the id.
    const consumerLines = consumer.logs.forRequest(id);
    expect(consumerLines.filter((line) => line.msg === 'retrying outbound call')).toHaveLength(2);
    expect(consumerLines.some((line) => line.msg === 'request completed' && line.status === 200)).toBe(true);

    // mock-api: its two injected faults and its three completion lines, all with the id.
    const mockLines = upstream.logs.forRequest(id);
    expect(mockLines.filter((line) => line.msg === 'request completed')).toHaveLength(3);
    expect(mockLines.filter((line) => /fault/i.test(String(line.msg)))).toHaveLength(2);
  });

  it('generates a request id when the caller sends none (or an invalid one) and propagates it', async () => {
    const response = await consumer.request('/catalog', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    const id = response.headers['x-request-id'];
    expect(typeof id).toBe('string');
    expect(id).not.toBe('bad id with spaces');
    expect(upstream.hits[0]?.headers['x-request-id']).toBe(id);
    expect(upstream.logs.forRequest(String(id)).length).toBeGreaterThan(0);
  });
});
