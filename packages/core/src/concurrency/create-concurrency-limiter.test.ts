import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyLimitError, isConcurrencyLimitError } from './concurrency-limit-error.js';
import { createConcurrencyLimiter } from './create-concurrency-limiter.js';
import type { ConcurrencyLimiterOptions } from './options.js';

let now = 0;
const clock = { now: () => now };

beforeEach(() => {
  now = 0;
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const reasonOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return isConcurrencyLimitError(error) ? error.reason : error;
  }
  return 'admitted';
};

describe('createConcurrencyLimiter', () => {
  it('admits up to the limit, then fails fast with ERR_CONCURRENCY_LIMIT and a retry hint', async () => {
    const limiter = createConcurrencyLimiter({
      algorithm: 'fixed',
      initialLimit: 2,
      retryAfterMs: 250,
      clock,
    });
    await limiter.acquire();
    await limiter.acquire();
    expect(limiter.inFlight).toBe(2);
    const error = await limiter.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyLimitError);
    expect(error).toMatchObject({
      code: 'ERR_CONCURRENCY_LIMIT',
      reason: 'limit',
      limit: 2,
      inFlight: 2,
      retryAfterMs: 250,
    });
    expect(limiter.tryAcquire()).toBeUndefined();
  });

  it('releases a slot once per token, whichever way it is settled', async () => {
    const limiter = createConcurrencyLimiter({ algorithm: 'fixed', initialLimit: 3, clock });
    const tokens = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    tokens[0]?.success();
    tokens[0]?.success();
    tokens[1]?.dropped();
    tokens[2]?.ignore();
    tokens[2]?.dropped();
    expect(limiter.inFlight).toBe(0);
    expect(limiter.limit).toBe(3);
  });

  it('queues a call over the limit and admits it when a slot frees', async () => {
    const limiter = createConcurrencyLimiter({ algorithm: 'fixed', initialLimit: 1, maxQueue: 1, clock });
    const first = await limiter.acquire();
    const waiting = limiter.acquire();
    expect(limiter.queued).toBe(1);
    first.success();
    const second = await waiting;
    expect(limiter.inFlight).toBe(1);
    expect(limiter.queued).toBe(0);
    second.success();
  });

  it('refuses a queued call with reason timeout after exactly maxWaitMs', async () => {
    const limiter = createConcurrencyLimiter({
      algorithm: 'fixed',
      initialLimit: 1,
      maxQueue: 1,
      maxWaitMs: 50,
      clock,
    });
    await limiter.acquire();
    let outcome: unknown = 'pending';
    void reasonOf(limiter.acquire()).then((r) => {
      outcome = r;
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBe('timeout');
    expect(limiter.queued).toBe(0);
  });

  it('lets one call wait longer than the limiter default with its own maxWaitMs', async () => {
    const limiter = createConcurrencyLimiter({
      algorithm: 'fixed',
      initialLimit: 1,
      maxQueue: 2,
      maxWaitMs: 5,
      clock,
    });
    const holder = await limiter.acquire();
    const short = reasonOf(limiter.acquire());
    const long = reasonOf(limiter.acquire({ maxWaitMs: 100 }));
    await vi.advanceTimersByTimeAsync(5);
    expect(await short).toBe('timeout');
    expect(limiter.queued).toBe(1);
    holder.success();
    expect(await long).toBe('admitted');
  });

  it('refuses with queue-full when the queue holds calls of the same priority', async () => {
    const limiter = createConcurrencyLimiter({ algorithm: 'fixed', initialLimit: 1, maxQueue: 1, clock });
    await limiter.acquire();
    void limiter.acquire().catch(() => undefined);
    expect(await reasonOf(limiter.acquire())).toBe('queue-full');
  });

  it('admits queued calls by priority, and a higher priority displaces the newest lowest one from a full queue', async () => {
    const limiter = createConcurrencyLimiter({ algorithm: 'fixed', initialLimit: 1, maxQueue: 2, clock });
    const holder = await limiter.acquire();
    const order: string[] = [];
    const track = (name: string, priority: number) =>
      limiter.acquire({ priority }).then(
        (token) => {
          order.push(name);
          token.success();
        },
        (error: unknown) => {
          order.push(`${name}:${isConcurrencyLimitError(error) ? error.reason : 'other'}`);
        },
      );
    const low1 = track('low1', 0);
    const low2 = track('low2', 0);
    const high = track('high', 2);
    await Promise.resolve();
    expect(await reasonOf(limiter.acquire({ priority: 0 }))).toBe('queue-full');
    holder.success();
    await Promise.all([low1, low2, high]);
    expect(order).toEqual(['low2:displaced', 'high', 'low1']);
  });

  it('frees the queue place of an aborted call and rejects with the signal reason', async () => {
    const limiter = createConcurrencyLimiter({ algorithm: 'fixed', initialLimit: 1, maxQueue: 1, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(limiter.queued).toBe(0);
  });

  it('close() refuses every queued call with reason closed', async () => {
    const limiter = createConcurrencyLimiter({ algorithm: 'fixed', initialLimit: 1, maxQueue: 2, clock });
    await limiter.acquire();
    const waiting = reasonOf(limiter.acquire());
    limiter.close();
    expect(await waiting).toBe('closed');
    expect(await reasonOf(limiter.acquire())).toBe('closed');
  });

  describe('gradient2', () => {
    const options: ConcurrencyLimiterOptions = { initialLimit: 4, minLimit: 2, maxLimit: 12, clock };

    const busyRound = async (limiter: ReturnType<typeof createConcurrencyLimiter>, rttMs: number) => {
      const tokens = [];
      while (limiter.inFlight < limiter.limit) tokens.push(await limiter.acquire());
      now += rttMs;
      for (const token of tokens) token.success();
    };

    it('grows the limit under steady low latency up to maxLimit, telling listeners each integer change', async () => {
      const limiter = createConcurrencyLimiter(options);
      const changes: number[] = [];
      limiter.onLimitChange(({ to }) => changes.push(to));
      for (let i = 0; i < 40; i += 1) await busyRound(limiter, 5);
      expect(limiter.limit).toBe(12);
      expect(changes[0]).toBe(5);
      expect(changes.at(-1)).toBe(12);
      expect(changes).toEqual([...changes].sort((a, b) => a - b));
    });

    it('shrinks the limit when RTT inflates, not below minLimit', async () => {
      const limiter = createConcurrencyLimiter({ ...options, initialLimit: 12 });
      for (let i = 0; i < 3; i += 1) await busyRound(limiter, 5);
      const before = limiter.limit;
      for (let i = 0; i < 30; i += 1) await busyRound(limiter, 500);
      expect(limiter.limit).toBeLessThan(before);
      expect(limiter.limit).toBeGreaterThanOrEqual(2);
    });

    it('shrinks the limit on drops down to minLimit', async () => {
      const limiter = createConcurrencyLimiter({ ...options, initialLimit: 12 });
      for (let i = 0; i < 40; i += 1) (await limiter.acquire()).dropped();
      expect(limiter.limit).toBe(2);
    });

    it('measures the RTT from admission on the injected clock when success() is given none', async () => {
      const limiter = createConcurrencyLimiter({
        initialLimit: 2,
        minLimit: 1,
        smoothing: 1,
        queueSize: 0,
        clock,
      });
      const a = await limiter.acquire();
      now += 10;
      a.success();
      expect(limiter.limit).toBe(2);
      const b = await limiter.acquire();
      now += 30;
      b.success();
      // long RTT (10 + 30) / 2 = 20, short 30: gradient 2/3 -> floor(2 * 2/3) = 1
      expect(limiter.limit).toBe(1);
    });

    it('ignore() releases without moving the limit', async () => {
      const limiter = createConcurrencyLimiter({ ...options, initialLimit: 2 });
      const tokens = [await limiter.acquire(), await limiter.acquire()];
      for (const token of tokens) token.ignore();
      expect(limiter.limit).toBe(2);
    });
  });

  it('rejects wrong options with a TypeError naming the option', () => {
    expect(() => createConcurrencyLimiter({ initialLimit: 0 })).toThrow('options.initialLimit');
    expect(() => createConcurrencyLimiter({ minLimit: 5, maxLimit: 4, initialLimit: 4 })).toThrow(
      'options.minLimit',
    );
    expect(() => createConcurrencyLimiter({ smoothing: 0 })).toThrow('options.smoothing');
    expect(() => createConcurrencyLimiter({ maxQueue: -1 })).toThrow('options.maxQueue');
    expect(() => createConcurrencyLimiter({ maxWaitMs: Number.NaN })).toThrow('options.maxWaitMs');
  });
});
