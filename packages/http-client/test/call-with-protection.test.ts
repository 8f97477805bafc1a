import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CircuitOpenError,
  callWithProtection,
  createHttpClient,
  createProtection,
  type Protection,
  type RetryEvent,
  TimeoutError,
} from '../src/index.js';
import { advanceSoon, advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';

class RedisDown extends Error {
  code = 'ECONNREFUSED';
}

describe('callWithProtection', () => {
  let protection: Protection;
  let retries: RetryEvent[];

  beforeEach(() => {
    useFakeTime();
    retries = [];
    protection = createProtection({
      retry: { jitter: 'none' },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });
  });
  afterEach(() => {
    protection.close();
    vi.useRealTimers();
  });

  it('retries any async function on the same 1 s, 2 s schedule and returns its result', async () => {
    let calls = 0;
    const result = await callWithProtection(
      async ({ attempt }) => {
        calls += 1;
        if (attempt < 3) throw new RedisDown('down');
        return 'value';
      },
      { key: 'redis', protection },
    );
    expect(result).toBe('value');
    expect(calls).toBe(3);
    expect(retries.map((r) => [r.delayMs, r.reason, r.url])).toEqual([
      [1000, 'ECONNREFUSED', 'redis'],
      [2000, 'ECONNREFUSED', 'redis'],
    ]);
  });

  it('rethrows the original error after the last attempt', async () => {
    const failure = new RedisDown('still down');
    const error = await callWithProtection(
      async () => {
        throw failure;
      },
      { key: 'redis', protection },
    ).catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(retries).toHaveLength(3);
  });

  it('does not retry what isRetryable refuses, nor a call marked not idempotent', async () => {
    let calls = 0;
    const fn = async (): Promise<never> => {
      calls += 1;
      throw new Error('bad input');
    };
    await expect(
      callWithProtection(fn, { key: 'k', protection, isRetryable: () => false }),
    ).rejects.toThrow();
    await expect(callWithProtection(fn, { key: 'k', protection, idempotent: false })).rejects.toThrow();
    expect(calls).toBe(2);
  });

  it('opens the breaker for the key after 5 failed attempts and then does not run fn', async () => {
    let calls = 0;
    const fn = async (): Promise<never> => {
      calls += 1;
      throw new RedisDown('down');
    };
    await callWithProtection(fn, { key: 'redis', protection, retries: 4 }).catch(() => undefined);
    expect(calls).toBe(5);
    await expect(callWithProtection(fn, { key: 'redis', protection })).rejects.toBeInstanceOf(
      CircuitOpenError,
    );
    expect(calls).toBe(5);
    expect(protection.breakers?.get('redis').state).toBe('OPEN');
  });

  it('times out an attempt and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const fn = ({ signal: s }: { signal: AbortSignal }): Promise<never> => {
      signal = s;
      advanceSoon(1_000);
      return new Promise<never>(() => undefined);
    };
    const error = await callWithProtection(fn, {
      key: 'sdk',
      protection,
      timeoutMs: 1_000,
      retries: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ method: 'CALL', url: 'sdk', timeoutMs: 1000, attempts: 1 });
    expect(signal?.aborted).toBe(true);
  });

  it("shares a client's breakers through client.protection", async () => {
    const client = createHttpClient({ retry: false, logger: captureLogs().logger });
    await callWithProtection(async () => 1, { key: 'shared', protection: client.protection });
    expect(client.breakers?.snapshot().map((s) => s.key)).toEqual(['shared']);
    client.close();
  });

  it('works without a protection (a default one) and validates its options', async () => {
    await expect(callWithProtection(async () => 42, { key: 'default-protection' })).resolves.toBe(42);
    await expect(callWithProtection(async () => 1, { key: '' })).rejects.toThrow(
      /option key must be a non-empty string/,
    );
    await expect(callWithProtection(async () => 1, { key: 'k', timeoutMs: -1 })).rejects.toThrow(TypeError);
  });
});
