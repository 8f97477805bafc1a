import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeWarmUp, warmUp } from '../src/warm-up.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let server: Server;
let baseUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += String(chunk);
    });
    req.on('end', () => {
      seen.push(
        `${req.method} ${req.url} ${body}${req.headers['idempotency-key'] ? ` key=${req.headers['idempotency-key']}` : ''}`,
      );
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('warmUp', () => {
  it('sends every round of the sequence, a few at a time, and counts the answers', async () => {
    const result = await warmUp(
      baseUrl,
      [
        { method: 'GET', path: (round) => `/items/${round}` },
        {
          method: 'POST',
          path: '/orders',
          body: { itemId: '1' },
          headers: (round) => ({ 'Idempotency-Key': `w-${round}` }),
        },
      ],
      { concurrency: 3, rounds: 10 },
    );

    expect(result.requests).toBe(20);
    expect(result.statusCounts).toEqual({ '200': 10, '201': 10 });
    expect(seen.filter((line) => line.startsWith('GET')).sort()).toEqual(
      Array.from({ length: 10 }, (_, round) => `GET /items/${round} `).sort(),
    );
    expect(seen.filter((line) => line.startsWith('POST /orders {"itemId":"1"} key=w-'))).toHaveLength(10);
    expect(seen).toContain('POST /orders {"itemId":"1"} key=w-9');
    expect(describeWarmUp(result)).toMatch(/^20 requests in \d+\.\d s \(200: 10, 201: 10\)$/);
  });
});

describe('warmUp options', () => {
  it('refuses a round count or concurrency that is not a positive integer, naming it', async () => {
    await expect(warmUp(baseUrl, [], { rounds: 0 })).rejects.toThrow(
      new TypeError('warmUp: rounds must be a positive integer, got 0'),
    );
    await expect(warmUp(baseUrl, [], { concurrency: 1.5 })).rejects.toThrow(
      /concurrency must be a positive integer/,
    );
  });
});
