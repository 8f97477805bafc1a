import {
  AbortError,
  CircuitOpenError,
  DeadlineExceededError,
  HttpStatusError,
  NetworkError,
  ResponseTooLargeError,
  TimeoutError,
} from '@resilience/http-client';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from './config.js';
import { createConsumerMetrics } from './metrics.js';
import { attemptOutcome, classifyUpstreamError, upstreamClientOptions } from './upstream.js';

const base = { method: 'GET', url: 'http://up:1/api/items', attempts: 1 };

function statusError(status: number, body = '', retryAfterMs?: number): HttpStatusError {
  return new HttpStatusError({ ...base, status, body, headers: {}, retryAfterMs });
}

describe('classifyUpstreamError', () => {
  it.each([
    [
      new CircuitOpenError({ breakerName: 'http://up:1', retryAfterMs: 1234 }),
      { kind: 'circuit_open', retryAfterMs: 1234 },
    ],
    [new DeadlineExceededError({ ...base, deadlineMs: 100 }), { kind: 'deadline_exceeded' }],
    [statusError(429, '', 60_000), { kind: 'rate_limited', retryAfterMs: 60_000 }],
    [statusError(503, '{"error":"down"}'), { kind: 'status', status: 503, body: { error: 'down' } }],
    [statusError(503, 'x', 2_000), { kind: 'status', status: 503, body: 'x', retryAfterMs: 2_000 }],
    [statusError(404, 'not json'), { kind: 'status', status: 404, body: 'not json' }],
    [new TimeoutError({ ...base, timeoutMs: 15_000 }), { kind: 'unavailable', code: 'ERR_HTTP_TIMEOUT' }],
    [
      new NetworkError({ ...base, systemCode: 'ECONNREFUSED' }),
      { kind: 'unavailable', code: 'ECONNREFUSED' },
    ],
    [new NetworkError({ ...base, systemCode: undefined }), { kind: 'unavailable', code: 'ERR_HTTP_NETWORK' }],
    [
      new ResponseTooLargeError({ ...base, limitBytes: 1024 }),
      { kind: 'response_too_large', limitBytes: 1024 },
    ],
  ])('%s -> %j', (error, failure) => {
    expect(classifyUpstreamError(error)).toEqual(failure);
  });

  it('leaves errors that are not upstream failures to the error handler', () => {
    expect(classifyUpstreamError(new TypeError('bug'))).toBeUndefined();
    expect(classifyUpstreamError(new AbortError({ ...base, cause: new Error('caller') }))).toBeUndefined();
  });
});

describe('attemptOutcome', () => {
  const event = {
    method: 'GET',
    url: 'http://up:1/api/items',
    upstream: 'http://up:1',
    requestId: 'req-1',
    attempt: 1,
    durationMs: 3,
    status: undefined,
    error: undefined,
  };
  it.each([
    [{ outcome: 'success', status: 200 }, 'success'],
    [{ outcome: 'rejected' }, 'circuit_open'],
    [{ outcome: 'cancelled' }, 'cancelled'],
    [{ outcome: 'failure', status: 429 }, 'rate_limited'],
    [{ outcome: 'failure', status: 502 }, 'http_5xx'],
    [{ outcome: 'failure', status: 404 }, 'http_4xx'],
    [{ outcome: 'failure', error: new TimeoutError({ ...base, timeoutMs: 1 }) }, 'timeout'],
    [{ outcome: 'failure', error: new NetworkError({ ...base, systemCode: 'ECONNRESET' }) }, 'network_error'],
    [
      { outcome: 'failure', error: new ResponseTooLargeError({ ...base, limitBytes: 1 }) },
      'response_too_large',
    ],
    [{ outcome: 'failure', error: new Error('other') }, 'error'],
  ] as const)('%j -> %s', (fields, outcome) => {
    expect(attemptOutcome({ ...event, ...fields })).toBe(outcome);
  });
});

describe('upstreamClientOptions', () => {
  const logger = { warn() {}, info() {}, debug() {} } as never;

  it('maps the configuration onto the client options', () => {
    const options = upstreamClientOptions(
      { ...CONFIG_DEFAULTS, upstreamApiKey: 'k-1', retryMax: 2, retryBaseMs: 50, upstreamMaxBodyBytes: 2048 },
      { logger, metrics: createConsumerMetrics() },
    );
    expect(options).toMatchObject({
      baseURL: CONFIG_DEFAULTS.upstreamUrl,
      headers: { 'X-API-Key': 'k-1' },
      timeoutMs: 15_000,
      deadlineMs: 20_000,
      retry: { retries: 2, baseDelayMs: 50 },
      breaker: { failureThreshold: 5, resetTimeoutMs: 60_000 },
      maxResponseBytes: 2048,
    });
  });

  it('hedges only when UPSTREAM_HEDGE is not off, with the configured limits, and counts hedges by event', async () => {
    const metrics = createConsumerMetrics();
    expect(upstreamClientOptions(CONFIG_DEFAULTS, { logger, metrics }).hedge).toBe(false);
    const config = { ...CONFIG_DEFAULTS, upstreamHedge: 'p95', upstreamHedgeMaxAttempts: 3 } as const;
    const { hedge, hooks } = upstreamClientOptions(config, { logger, metrics });
    expect(hedge).toEqual({ delayMs: 'p95', maxAttempts: 3, maxExtraRatio: 0.05 });
    const event = { method: 'GET', url: 'u', upstream: 'http://up:1', requestId: undefined, delayMs: 5 };
    hooks?.onHedge?.({ ...event, index: 1 });
    hooks?.onHedgeWon?.({ ...event, index: 1 });
    hooks?.onHedgeCancelled?.({ ...event, index: 0 });
    hooks?.onHedgeCancelled?.({ ...event, index: 0 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('upstream_hedges_total{upstream="http://up:1",event="sent"} 1');
    expect(text).toContain('upstream_hedges_total{upstream="http://up:1",event="won"} 1');
    expect(text).toContain('upstream_hedges_total{upstream="http://up:1",event="cancelled"} 2');
  });

  it('sends no X-API-Key when none is configured', () => {
    const options = upstreamClientOptions(CONFIG_DEFAULTS, { logger, metrics: createConsumerMetrics() });
    expect(options.headers).not.toHaveProperty('X-API-Key');
  });

  it('counts budget, deadline and non-idempotent give-ups as suppressed retries, and nothing else', async () => {
    const metrics = createConsumerMetrics();
    const { hooks } = upstreamClientOptions(CONFIG_DEFAULTS, { logger, metrics });
    const call = {
      method: 'GET',
      url: 'u',
      upstream: 'http://up:1',
      requestId: undefined,
      attempts: 1,
      error: null,
    };
    for (const reason of [
      'retry-budget-exhausted',
      'retry-after-exceeds-deadline',
      'backoff-exceeds-deadline',
      'deadline-exceeded',
      'not-idempotent',
      'retries-exhausted',
      'not-retryable',
      'circuit-open',
      'aborted',
    ] as const) {
      hooks?.onGiveUp?.({ ...call, reason });
    }
    const text = await metrics.registry.metrics();
    expect(text).toContain('upstream_retries_suppressed_total{upstream="http://up:1",reason="budget"} 1');
    expect(text).toContain('upstream_retries_suppressed_total{upstream="http://up:1",reason="deadline"} 3');
    expect(text).toContain(
      'upstream_retries_suppressed_total{upstream="http://up:1",reason="non_idempotent"} 1',
    );
  });
});
