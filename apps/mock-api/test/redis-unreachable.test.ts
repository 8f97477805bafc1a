import { request as httpRequest } from 'node:http';
import { freePort } from '@resilience/test-support/redis-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

// A real process on a machine that may be busy: bounds of minutes, never the default.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let server: ServerProcess | undefined;

afterEach(() => {
  server?.kill();
  server = undefined;
});

function send(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let received = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(received) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function errorMessage(line: Record<string, unknown>): string {
  const err = line.err as { message?: unknown } | undefined;
  return String(err?.message);
}

describe('mock-api with REDIS_URL pointing where nothing listens', () => {
  it('names Redis, its address and ECONNREFUSED in every store error, and masks the password on the start-up line', async () => {
    // Nothing listens on this port (it was free a moment ago); nothing here starts anything on it.
    const redisPort = await freePort();
    server = startServerProcess({
      PORT: '0',
      REDIS_URL: `redis://mock:hunter2-secret@127.0.0.1:${redisPort}`,
    });
    const started = await server.line((line) => String(line.msg).startsWith('mock-api started'));
    expect(started).toMatchObject({
      stores: 'redis',
      redisUrl: `redis://mock:***@127.0.0.1:${redisPort}`,
      msg: `mock-api started: rate limits, orders and idempotency records in Redis at redis://mock:***@127.0.0.1:${redisPort} (key prefix mock-api:)`,
    });
    const port = Number((await server.line((line) => line.msg === 'listening')).port);
    // The client has failed to connect at least once, so the errors below can name why.
    await server.line((line) => String(line.msg).startsWith('redis connection failed'));

    const item = await send(port, 'GET', '/api/items/1');
    const order = await send(port, 'POST', '/api/orders', { itemId: '1', quantity: 1 });
    expect(item.status).toBe(200);
    expect(order).toMatchObject({ status: 503, body: { error: 'store_unavailable' } });

    const unreachable = `redis unreachable at 127.0.0.1:${redisPort} (ECONNREFUSED)`;
    const storeFailure = await server.line((line) => line.msg === 'order store failed');
    expect(errorMessage(storeFailure)).toContain(`saving the order failed: ${unreachable}, EVAL not sent`);
    const rateLimitFailures = server.lines.filter((line) =>
      String(line.msg).startsWith('rate-limit store failed'),
    );
    // At least one per request (one per window with per-window stores); every one of them readable.
    expect(rateLimitFailures.length).toBeGreaterThanOrEqual(2);
    for (const line of rateLimitFailures) expect(errorMessage(line)).toContain(`failed: ${unreachable}`);

    const output = JSON.stringify(server.lines);
    expect(output).not.toContain('Cannot read properties');
    expect(output).not.toContain('The client is offline');
    expect(output).not.toContain('hunter2-secret');
  });
});
