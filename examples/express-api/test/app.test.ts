import type { Logger } from '@resilience/logging';
import { createLogger } from '@resilience/logging';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type ExpressApi } from '../src/app.js';

type LogLine = Record<string, unknown>;

function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}

let api: ExpressApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function build(limit = 5): { api: ExpressApi; lines: LogLine[] } {
  const { logger, lines } = memoryLogger();
  api = createApp({ logger, rateLimitPerMinute: limit });
  return { api, lines };
}

describe('GET /hello', () => {
  it('answers with a greeting and the request id, echoed in X-Request-ID and on the log line', async () => {
    const { api, lines } = build();
    const res = await request(api.app).get('/hello?name=ada').set('X-Request-ID', 'abc-123');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'hello, ada', requestId: 'abc-123' });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({ requestId: 'abc-123', method: 'GET', path: '/hello', status: 200 });
  });

  it('generates a request id when none is sent', async () => {
    const { api } = build();
    const res = await request(api.app).get('/hello');
    expect(res.headers['x-request-id']).toMatch(/^req-[0-9a-f]{12}$/);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });
});

describe('rate limit on /hello', () => {
  it('answers 429 to the 6th request of a minute, with draft-8 headers and Retry-After', async () => {
    const { api, lines } = build(5);
    for (let i = 1; i <= 5; i += 1) {
      const ok = await request(api.app).get('/hello');
      expect(ok.status).toBe(200);
      // draft-8: the policy (quota q, window w in seconds) and what is left (r) until the reset (t seconds);
      // the policy's pk is a hash of the client's key (its IP), never the IP itself.
      expect(ok.headers['ratelimit-policy']).toMatch(/^"per-minute"; q=5; w=60; pk=:[A-Za-z0-9+/=]+:$/);
      expect(ok.headers.ratelimit).toMatch(new RegExp(`^"per-minute"; r=${5 - i}; t=\\d+$`));
    }
    const limited = await request(api.app).get('/hello');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: 'rate_limited',
      message: 'at most 5 requests per 60 s per client',
    });
    expect(limited.headers.ratelimit).toMatch(/^"per-minute"; r=0; t=\d+$/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['x-request-id']).toMatch(/^req-/);
    // No legacy X-RateLimit-* headers next to the standard ones.
    expect(limited.headers['x-ratelimit-limit']).toBeUndefined();
    expect(lines.filter((line) => line.msg === 'request completed').map((line) => line.status)).toEqual([
      200, 200, 200, 200, 200, 429,
    ]);
  });

  it('does not limit /metrics or /readyz', async () => {
    const { api } = build(1);
    for (let i = 0; i < 3; i += 1) {
      expect((await request(api.app).get('/metrics')).status).toBe(200);
      expect((await request(api.app).get('/readyz')).status).toBe(200);
    }
    expect((await request(api.app).get('/hello')).status).toBe(200);
    expect((await request(api.app).get('/hello')).status).toBe(429);
  });
});

describe('GET /metrics', () => {
  it('counts answers by route template and status, 429s under /hello', async () => {
    const { api } = build(1);
    await request(api.app).get('/hello');
    await request(api.app).get('/hello');
    const res = await request(api.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('http_requests_total{method="GET",route="/hello",status="200"} 1');
    expect(res.text).toContain('http_requests_total{method="GET",route="/hello",status="429"} 1');
  });
});

describe('GET /readyz', () => {
  it('answers 503 once shutdown has started', async () => {
    let stopping = false;
    const { logger } = memoryLogger();
    api = createApp({ logger, rateLimitPerMinute: 5, isShuttingDown: () => stopping });
    expect((await request(api.app).get('/readyz')).status).toBe(200);
    stopping = true;
    const res = await request(api.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ ready: false });
  });
});
