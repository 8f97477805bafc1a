import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  degradedCheckoutResponse,
  degradedReadResponse,
  retryAfterSeconds,
} from './degradation.js';
import type { UpstreamFailure } from './upstream-failure.js';

const noStale = { requestId: 'req-1', stale: undefined, breakerRetryAfterMs: undefined };

describe('retryAfterSeconds', () => {
  it.each([
    [undefined, 1],
    [0, 1],
    [-5, 1],
    [1, 1],
    [1_000, 1],
    [1_001, 2],
    [59_999, 60],
  ])('%s ms -> %s s', (ms, seconds) => {
    expect(retryAfterSeconds(ms)).toBe(seconds);
  });
});

describe('degradedReadResponse', () => {
  it('serves the stale copy with X-Cache: stale and Age for any failure', () => {
    const stale = { body: { items: [] }, ageSeconds: 42 };
    for (const failure of [
      { kind: 'circuit_open', retryAfterMs: 10 },
      { kind: 'unavailable', code: 'ECONNREFUSED' },
      { kind: 'deadline_exceeded' },
      { kind: 'rate_limited', retryAfterMs: 60_000 },
      { kind: 'status', status: 503, body: null },
      { kind: 'response_too_large', limitBytes: 1024 },
    ] satisfies UpstreamFailure[]) {
      const response = degradedReadResponse(failure, { ...noStale, stale });
      expect(response.status).toBe(200);
      expect(response.body).toBe(stale.body);
      expect(response.headers).toMatchObject({ 'X-Cache': 'stale', Age: '42' });
    }
  });

  it('answers 503 circuit_open with Retry-After from the time until the trial call', () => {
    const response = degradedReadResponse({ kind: 'circuit_open', retryAfterMs: 12_300 }, noStale);
    expect(response).toEqual({
      status: 503,
      headers: { 'Retry-After': '13' },
      body: {
        error: 'service_unavailable',
        reason: 'circuit_open',
        message: expect.any(String),
        requestId: 'req-1',
        retryAfterSeconds: 13,
      },
    });
  });

  it('answers 503 upstream_unavailable after retries, with the breaker time when it just opened', () => {
    const failure: UpstreamFailure = { kind: 'unavailable', code: 'ECONNREFUSED' };
    const closed = degradedReadResponse(failure, noStale);
    expect(closed.status).toBe(503);
    expect(closed.headers['Retry-After']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    expect(closed.body).toMatchObject({ reason: 'upstream_unavailable' });
    const open = degradedReadResponse(failure, { ...noStale, breakerRetryAfterMs: 60_000 });
    expect(open.headers['Retry-After']).toBe('60');
  });

  it('answers 503 upstream_unavailable for a 5xx after retries', () => {
    const response = degradedReadResponse({ kind: 'status', status: 502, body: 'bad' }, noStale);
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ reason: 'upstream_unavailable' });
  });

  it('answers 503 deadline_exceeded', () => {
    const response = degradedReadResponse({ kind: 'deadline_exceeded' }, noStale);
    expect(response.status).toBe(503);
    expect(response.headers['Retry-After']).toBeDefined();
    expect(response.body).toMatchObject({ reason: 'deadline_exceeded', requestId: 'req-1' });
  });

  it('turns a 429 that could not be honoured into 503 with the upstream Retry-After, never a 500', () => {
    const response = degradedReadResponse({ kind: 'rate_limited', retryAfterMs: 30_000 }, noStale);
    expect(response.status).toBe(503);
    expect(response.headers['Retry-After']).toBe('30');
    expect(response.body).toMatchObject({ reason: 'upstream_rate_limited', retryAfterSeconds: 30 });
  });

  it('answers 502 upstream_error when the upstream refuses the consumer itself (401)', () => {
    const response = degradedReadResponse({ kind: 'status', status: 401, body: {} }, noStale);
    expect(response.status).toBe(502);
    expect(response.headers).toEqual({});
    expect(response.body).toMatchObject({ reason: 'upstream_error' });
  });

  it('answers 502 upstream_response_too_large, without Retry-After, for a body over the limit', () => {
    const response = degradedReadResponse({ kind: 'response_too_large', limitBytes: 1024 }, noStale);
    expect(response.status).toBe(502);
    expect(response.headers).toEqual({});
    expect(response.body).toEqual({
      error: 'bad_gateway',
      reason: 'upstream_response_too_large',
      message: 'The upstream service answered more data than this service accepts.',
      requestId: 'req-1',
    });
  });
});

describe('degradedCheckoutResponse', () => {
  const context = { requestId: 'req-2', idempotencyKey: 'key-9', breakerRetryAfterMs: undefined };

  it('answers 503 circuit_open with Retry-After and the idempotency key', () => {
    const response = degradedCheckoutResponse({ kind: 'circuit_open', retryAfterMs: 4_000 }, context);
    expect(response.status).toBe(503);
    expect(response.headers).toEqual({ 'Retry-After': '4' });
    expect(response.body).toMatchObject({
      reason: 'circuit_open',
      idempotencyKey: 'key-9',
      requestId: 'req-2',
    });
  });

  it.each([
    [{ kind: 'unavailable', code: 'ECONNRESET' }, 'upstream_unavailable'],
    [{ kind: 'status', status: 503, body: {} }, 'upstream_unavailable'],
    [{ kind: 'deadline_exceeded' }, 'deadline_exceeded'],
    [{ kind: 'status', status: 401, body: {} }, 'upstream_error'],
    [{ kind: 'response_too_large', limitBytes: 1024 }, 'upstream_response_too_large'],
  ] satisfies [UpstreamFailure, string][])(
    'answers 502 for %j with the idempotency key',
    (failure, reason) => {
      const response = degradedCheckoutResponse(failure, context);
      expect(response.status).toBe(502);
      expect(response.body).toMatchObject({ error: 'bad_gateway', reason, idempotencyKey: 'key-9' });
    },
  );

  it('answers 503 with Retry-After for a 429 that could not be honoured', () => {
    const response = degradedCheckoutResponse({ kind: 'rate_limited', retryAfterMs: 2_500 }, context);
    expect(response.status).toBe(503);
    expect(response.headers).toEqual({ 'Retry-After': '3' });
    expect(response.body).toMatchObject({ reason: 'upstream_rate_limited', idempotencyKey: 'key-9' });
  });

  it.each([400, 409, 422])('passes %s through with the upstream error and the idempotency key', (status) => {
    const response = degradedCheckoutResponse(
      { kind: 'status', status, body: { error: 'unknown_item', message: 'No item 99', requestId: 'x' } },
      context,
    );
    expect(response).toEqual({
      status,
      headers: {},
      body: { error: 'unknown_item', message: 'No item 99', requestId: 'req-2', idempotencyKey: 'key-9' },
    });
  });
});
