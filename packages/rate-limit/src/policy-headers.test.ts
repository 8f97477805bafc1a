import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPartitionKeyCache, PolicyHeaders } from './policy-headers.js';

function fakeResponse(): { res: ServerResponse; headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>();
  const res = { headersSent: false, setHeader: (name: string, value: unknown) => headers.set(name, value) };
  return { res: res as unknown as ServerResponse, headers };
}

describe('PolicyHeaders', () => {
  it('writes one draft-8 entry per window, in order, as express-rate-limit does', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    const headers = new PolicyHeaders('pk1', () => now);
    const retryAfter = headers.add({ policy: 'per-minute', windowMs: 60_000 }, 10, {
      totalHits: 11,
      resetTime: new Date(now + 41_500),
    });
    headers.add({ policy: 'per-hour', windowMs: 3_600_000 }, 100, undefined);
    const { res, headers: written } = fakeResponse();
    headers.write(res);
    expect(retryAfter).toBe(42);
    expect(written.get('RateLimit')).toBe('"per-minute"; r=0; t=42, "per-hour"; r=100; t=3600');
    expect(written.get('RateLimit-Policy')).toBe(
      '"per-minute"; q=10; w=60; pk=:pk1:, "per-hour"; q=100; w=3600; pk=:pk1:',
    );
  });

  it('never announces a reset further away than the window, when the store opened it after the clock was read', () => {
    let now = 1_000;
    const headers = new PolicyHeaders('pk', () => now);
    // The store opened the hour window at 1_001 ms, a millisecond after the request started.
    const resetTime = new Date(1_001 + 3_600_000);
    const clamped = headers.add({ policy: 'per-hour', windowMs: 3_600_000 }, 100, {
      totalHits: 1,
      resetTime,
    });
    expect(clamped).toBe(3600);
    now = 1_001 + 1_800_000;
    expect(headers.add({ policy: 'per-hour', windowMs: 3_600_000 }, 100, { totalHits: 2, resetTime })).toBe(
      1800,
    );
  });

  it('writes nothing when no window was counted', () => {
    const { res, headers } = fakeResponse();
    new PolicyHeaders('pk', () => 0).write(res);
    expect(headers.size).toBe(0);
  });
});

describe('createPartitionKeyCache', () => {
  it("computes express-rate-limit's partition key and stays bounded", () => {
    const cache = createPartitionKeyCache(2);
    const expected = Buffer.from(
      createHash('sha256').update('ip:127.0.0.1').digest('hex').slice(0, 12),
    ).toString('base64');
    expect(cache.get('ip:127.0.0.1')).toBe(expected);
    expect(cache.get('ip:127.0.0.1')).toBe(expected);
    expect(cache.get('a')).not.toBe(cache.get('b'));
    expect(cache.get('ip:127.0.0.1')).toBe(expected);
  });
});
