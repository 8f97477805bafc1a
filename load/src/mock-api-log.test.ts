import { describe, expect, it } from 'vitest';
import { isApiRequest, parseMockApiLog } from './mock-api-log.js';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 'info', time: '2026-12-03T06:40:09.277Z', service: 'mock-api', ...fields });

const completed = (requestId: string, responseTimeMs: number, extra: Record<string, unknown> = {}) =>
  line({
    requestId,
    method: 'GET',
    path: '/api/items',
    status: 200,
    responseTimeMs,
    msg: 'request completed',
    ...extra,
  });

const latencyFault = (requestId: string, latencyMs: number) =>
  line({ level: 'warn', requestId, fault: 'latency', latencyMs, when: 'before', msg: 'fault injected' });

describe('parseMockApiLog', () => {
  it('reads each completed request with the latency injected into it', () => {
    const log = parseMockApiLog(
      [
        line({ port: 40007, msg: 'listening' }),
        latencyFault('req-1', 200),
        completed('req-1', 207.8),
        completed('req-2', 3.1, { method: 'POST', path: '/api/orders', status: 201 }),
        '',
      ].join('\n'),
    );
    expect(log.requests).toEqual([
      {
        requestId: 'req-1',
        method: 'GET',
        path: '/api/items',
        status: 200,
        responseTimeMs: 207.8,
        aborted: false,
        injectedLatencyMs: 200,
      },
      {
        requestId: 'req-2',
        method: 'POST',
        path: '/api/orders',
        status: 201,
        responseTimeMs: 3.1,
        aborted: false,
        injectedLatencyMs: 0,
      },
    ]);
    expect(log.skippedLines).toBe(0);
  });

  it('gives a latency fault to the next attempt with its request id only (a retry reuses the id)', () => {
    const log = parseMockApiLog(
      [latencyFault('req-7', 200), completed('req-7', 204, { status: 503 }), completed('req-7', 5)].join(
        '\n',
      ),
    );
    expect(log.requests.map((request) => request.injectedLatencyMs)).toEqual([200, 0]);
  });

  it('marks requests whose client went away', () => {
    const log = parseMockApiLog(
      line({
        level: 'warn',
        requestId: 'req-3',
        method: 'POST',
        path: '/api/orders',
        status: 200,
        responseTimeMs: 1000.4,
        aborted: true,
        msg: 'request aborted',
      }),
    );
    expect(log.requests[0]?.aborted).toBe(true);
  });

  it('counts order-store and rate-limit-store failures, and torn lines', () => {
    const log = parseMockApiLog(
      [
        line({ level: 'error', requestId: 'a', err: {}, mayHaveRun: true, msg: 'order store failed' }),
        line({ level: 'error', requestId: 'b', err: {}, msg: 'store unavailable' }),
        line({
          level: 'error',
          requestId: 'c',
          window: 'minute',
          msg: 'rate-limit store failed; request counted by the in-process insurance limiter',
        }),
        '{"level":"info","ti',
      ].join('\n'),
    );
    expect(log).toMatchObject({ orderStoreFailures: 2, rateLimitStoreFailures: 1, skippedLines: 1 });
  });
});

describe('isApiRequest', () => {
  it('takes /api and its sub-paths, nothing else', () => {
    expect(['/api', '/api/items', '/api/orders'].every((path) => isApiRequest({ path }))).toBe(true);
    expect(['/apix', '/metrics', '/__admin/faults', '/readyz'].some((path) => isApiRequest({ path }))).toBe(
      false,
    );
  });
});
