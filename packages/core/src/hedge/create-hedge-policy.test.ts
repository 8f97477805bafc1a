import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHedgePolicy, type HedgeCallContext } from './create-hedge-policy.js';
import { type HedgeCancelledError, isHedgeCancelledError } from './hedge-cancelled-error.js';
import type { HedgeClock, HedgePolicyOptions } from './options.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Attempts the test settles by hand; each keeps the signal it was given. */
function scriptedAttempts() {
  const started: { index: number; signal: AbortSignal; result: Deferred<string> }[] = [];
  const attempt = (signal: AbortSignal, index: number): Promise<string> => {
    const result = deferred<string>();
    started.push({ index, signal, result });
    return result.promise;
  };
  const at = (index: number) => {
    const entry = started[index];
    if (entry === undefined) throw new Error(`attempt ${index} was not started`);
    return entry;
  };
  return { attempt, started, at };
}

const fakeClock: HedgeClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A fixed-delay policy whose extra-load cap never refuses (ratio 1 credits one hedge per call). */
function fixedPolicy(options: HedgePolicyOptions = {}) {
  return createHedgePolicy({ delayMs: 10, maxExtraRatio: 1, clock: fakeClock, ...options });
}

/** Runs `calls` instant calls, which credit the extra-load cap without hedging. */
async function credit(policy: ReturnType<typeof createHedgePolicy>, calls: number) {
  for (let i = 0; i < calls; i += 1) await policy.run(async () => 'instant');
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createHedgePolicy: the schedule', () => {
  it('sends the hedge exactly after delayMs while the primary is pending', async () => {
    const { attempt, started } = scriptedAttempts();
    void fixedPolicy().run(attempt);
    expect(started.map((s) => s.index)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(9);
    expect(started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(started.map((s) => s.index)).toEqual([0, 1]);
  });

  it('sends one hedge per delay up to maxAttempts, never more', async () => {
    const { attempt, started } = scriptedAttempts();
    const policy = fixedPolicy({ maxAttempts: 3 });
    await credit(policy, 4);
    void policy.run(attempt);
    await vi.advanceTimersByTimeAsync(19);
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends no hedge with maxAttempts 1', async () => {
    const { attempt, started } = scriptedAttempts();
    void fixedPolicy({ maxAttempts: 1 }).run(attempt);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);
  });

  it('sends no hedge and leaves no timer when the primary succeeds in time', async () => {
    const { attempt, started, at } = scriptedAttempts();
    const policy = fixedPolicy();
    const call = policy.run(attempt);
    await vi.advanceTimersByTimeAsync(9);
    at(0).result.resolve('primary');
    await expect(call).resolves.toBe('primary');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);
    expect(at(0).signal.aborted).toBe(false);
    expect(policy.stats()).toEqual({
      calls: 1,
      hedgesSent: 0,
      hedgesWon: 0,
      cancelled: 0,
      refusedByRatio: 0,
      refusedByCaller: 0,
    });
  });
});

describe('createHedgePolicy: the race', () => {
  it('returns the first success and aborts the loser with a HedgeCancelledError', async () => {
    const { attempt, at } = scriptedAttempts();
    const onWin = vi.fn();
    const onCancel = vi.fn();
    const policy = fixedPolicy();
    const call = policy.run(attempt, { onWin, onCancel });
    await vi.advanceTimersByTimeAsync(10);
    at(1).result.resolve('hedge');
    await expect(call).resolves.toBe('hedge');
    expect(at(0).signal.aborted).toBe(true);
    expect(isHedgeCancelledError(at(0).signal.reason)).toBe(true);
    expect((at(0).signal.reason as HedgeCancelledError).code).toBe('ERR_HEDGE_CANCELLED');
    expect((at(0).signal.reason as HedgeCancelledError).attempt).toBe(0);
    expect(at(1).signal.aborted).toBe(false);
    expect(onWin).toHaveBeenCalledExactlyOnceWith({ index: 1, hedged: true });
    expect(onCancel).toHaveBeenCalledExactlyOnceWith({ index: 0 });
    // The loser settles later: its outcome is swallowed (no unhandled rejection, no second result).
    at(0).result.reject(at(0).signal.reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(policy.stats()).toMatchObject({ calls: 1, hedgesSent: 1, hedgesWon: 1, cancelled: 1 });
  });

  it('counts a primary win after a hedge was sent as not hedged', async () => {
    const { attempt, at } = scriptedAttempts();
    const onWin = vi.fn();
    const policy = fixedPolicy();
    const call = policy.run(attempt, { onWin });
    await vi.advanceTimersByTimeAsync(10);
    at(0).result.resolve('primary');
    await expect(call).resolves.toBe('primary');
    expect(at(1).signal.aborted).toBe(true);
    expect(onWin).toHaveBeenCalledExactlyOnceWith({ index: 0, hedged: false });
    expect(policy.stats()).toMatchObject({ hedgesSent: 1, hedgesWon: 0, cancelled: 1 });
  });

  it('waits for a pending attempt when another fails', async () => {
    const { attempt, at } = scriptedAttempts();
    const call = fixedPolicy().run(attempt);
    await vi.advanceTimersByTimeAsync(10);
    at(0).result.reject(new Error('primary failed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(at(1).signal.aborted).toBe(false);
    at(1).result.resolve('hedge');
    await expect(call).resolves.toBe('hedge');
  });

  it('rejects with the last failure when every attempt sent has failed', async () => {
    const { attempt, at } = scriptedAttempts();
    const call = fixedPolicy().run(attempt);
    const outcome = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    at(1).result.reject(new Error('hedge failed'));
    at(0).result.reject(new Error('primary failed'));
    expect(((await outcome) as Error).message).toBe('primary failed');
  });

  it('hands a failure to the caller at once, with no hedge, when nothing else is pending', async () => {
    const { attempt, started, at } = scriptedAttempts();
    const call = fixedPolicy().run(attempt);
    const outcome = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5);
    at(0).result.reject(new Error('refused'));
    expect(((await outcome) as Error).message).toBe('refused');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);
  });

  it('ends the call on a final failure and aborts the others', async () => {
    const { attempt, at } = scriptedAttempts();
    const final = new Error('404');
    const call = fixedPolicy({ maxAttempts: 3 }).run(attempt, { isFinalFailure: (error) => error === final });
    const outcome = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    at(1).result.reject(final);
    expect(await outcome).toBe(final);
    expect(at(0).signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats an attempt that throws synchronously as a failed attempt', async () => {
    const call = fixedPolicy().run(() => {
      throw new Error('sync');
    });
    await expect(call).rejects.toThrow('sync');
  });

  it("aborts every attempt and rejects with the caller's signal reason", async () => {
    const { attempt, at } = scriptedAttempts();
    const controller = new AbortController();
    const call = fixedPolicy().run(attempt, { signal: controller.signal });
    const outcome = call.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('deadline');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(at(0).signal.aborted).toBe(true);
    expect(at(1).signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not start when the signal is already aborted', async () => {
    const { attempt, started } = scriptedAttempts();
    const policy = fixedPolicy();
    await expect(policy.run(attempt, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow(
      'gone',
    );
    expect(started).toHaveLength(0);
    expect(policy.stats().calls).toBe(0);
  });

  it('ignores a throwing hook', async () => {
    const { attempt, at } = scriptedAttempts();
    const call = fixedPolicy().run(attempt, {
      onHedge: () => {
        throw new Error('hook');
      },
    });
    await vi.advanceTimersByTimeAsync(10);
    at(1).result.resolve('hedge');
    await expect(call).resolves.toBe('hedge');
  });
});

describe('createHedgePolicy: the caller decides (breaker and retry budget)', () => {
  it('asks mayHedge once per hedge, never for the primary, and sends none when it refuses', async () => {
    const { attempt, started, at } = scriptedAttempts();
    const mayHedge = vi.fn(() => false);
    const onRefuse = vi.fn();
    const policy = fixedPolicy({ maxAttempts: 3 });
    const call = policy.run(attempt, { mayHedge, onRefuse });
    expect(mayHedge).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(mayHedge).toHaveBeenCalledTimes(1);
    expect(started).toHaveLength(1);
    expect(onRefuse).toHaveBeenCalledExactlyOnceWith({ index: 1, reason: 'caller' });
    expect(policy.stats()).toMatchObject({ hedgesSent: 0, refusedByCaller: 1 });
    at(0).result.resolve('primary');
    await expect(call).resolves.toBe('primary');
  });

  it('spends the retry budget once per hedge sent', async () => {
    let budget = 1;
    const mayHedge = vi.fn(() => {
      if (budget === 0) return false;
      budget -= 1;
      return true;
    });
    const { attempt, started } = scriptedAttempts();
    const policy = fixedPolicy({ maxAttempts: 5 });
    await credit(policy, 4);
    void policy.run(attempt, { mayHedge });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(2);
    expect(mayHedge).toHaveBeenCalledTimes(2);
    expect(budget).toBe(0);
  });

  it('does not ask mayHedge (nor spend the budget) when the extra-load cap refuses', async () => {
    const mayHedge = vi.fn(() => true);
    const onRefuse = vi.fn();
    const { attempt, started } = scriptedAttempts();
    const policy = fixedPolicy({ maxExtraRatio: 0.05 });
    void policy.run(attempt, { mayHedge, onRefuse });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);
    expect(mayHedge).not.toHaveBeenCalled();
    expect(onRefuse).toHaveBeenCalledExactlyOnceWith({ index: 1, reason: 'ratio' });
    expect(policy.stats().refusedByRatio).toBe(1);
  });
});

describe('createHedgePolicy: the extra-load cap', () => {
  it('keeps hedges sent <= maxExtraRatio x calls, and sends them as credit allows', async () => {
    const policy = fixedPolicy({ maxExtraRatio: 0.05, maxAttempts: 5 });
    const { attempt, started } = scriptedAttempts();
    for (let call = 1; call <= 100; call += 1) {
      void policy.run(attempt);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(policy.stats().hedgesSent).toBe(Math.floor(call / 20));
    }
    expect(started.filter((s) => s.index > 0)).toHaveLength(5);
    expect(policy.stats()).toMatchObject({ calls: 100, hedgesSent: 5, refusedByRatio: 100 });
  });

  it('lets a burst of up to maxExtraRatio x ratioWindow hedges out after quiet traffic', async () => {
    const policy = fixedPolicy({ maxExtraRatio: 0.05, ratioWindow: 100, maxAttempts: 5 });
    for (let call = 0; call < 200; call += 1) {
      const fast = policy.run(async () => 'fast');
      await fast;
    }
    const { attempt, started } = scriptedAttempts();
    void policy.run(attempt);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(5);
    void policy.run(attempt);
    await vi.advanceTimersByTimeAsync(1_000);
    // 5 hedges of credit (capacity) + 0.05 from the second call, less the 4 spent: 1.05, one more hedge.
    expect(started).toHaveLength(7);
  });
});

describe("createHedgePolicy: delayMs 'p95'", () => {
  async function warmUp(policy: ReturnType<typeof createHedgePolicy>, latencies: readonly number[]) {
    for (const ms of latencies) {
      const call = policy.run(() => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), ms)));
      await vi.advanceTimersByTimeAsync(ms);
      await call;
    }
  }

  it('sends no hedge before minSamples latencies, then hedges after their p95', async () => {
    const policy = createHedgePolicy({ delayMs: 'p95', minSamples: 20, maxExtraRatio: 1, clock: fakeClock });
    // 19 latencies: not enough, and the policy never hedged while learning them.
    await warmUp(
      policy,
      Array.from({ length: 19 }, (_, i) => (i + 1) * 10),
    );
    expect(policy.currentDelayMs()).toBeUndefined();
    expect(policy.stats().hedgesSent).toBe(0);
    await warmUp(policy, [200]);
    expect(policy.currentDelayMs()).toBe(190);

    const { attempt, started } = scriptedAttempts();
    void policy.run(attempt);
    await vi.advanceTimersByTimeAsync(189);
    expect(started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(2);
  });

  it("records the winner's own latency, measured from its start", async () => {
    const policy = createHedgePolicy({
      delayMs: 'p95',
      minSamples: 1,
      latencyWindow: 1,
      maxExtraRatio: 1,
      clock: fakeClock,
    });
    await warmUp(policy, [50]);
    expect(policy.currentDelayMs()).toBe(50);
    const { attempt, at } = scriptedAttempts();
    const call = policy.run(attempt);
    await vi.advanceTimersByTimeAsync(50);
    await vi.advanceTimersByTimeAsync(7);
    at(1).result.resolve('hedge');
    await call;
    expect(policy.currentDelayMs()).toBe(7);
  });

  it('records nothing for failures', async () => {
    const policy = createHedgePolicy({ delayMs: 'p95', minSamples: 1, clock: fakeClock });
    await expect(policy.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(policy.currentDelayMs()).toBeUndefined();
  });
});

describe('createHedgePolicy: per upstream key', () => {
  async function learn(policy: ReturnType<typeof createHedgePolicy>, key: string, ms: number) {
    const call = policy.run(() => new Promise<string>((resolve) => setTimeout(() => resolve('ok'), ms)), {
      key,
    });
    await vi.advanceTimersByTimeAsync(ms);
    await call;
  }

  it('keeps a latency history per key', async () => {
    const policy = createHedgePolicy({ delayMs: 'p95', minSamples: 1, clock: fakeClock });
    await learn(policy, 'catalog', 40);
    await learn(policy, 'payments', 900);
    expect(policy.currentDelayMs('catalog')).toBe(40);
    expect(policy.currentDelayMs('payments')).toBe(900);
    expect(policy.currentDelayMs()).toBeUndefined();
  });

  it('keeps an extra-load cap per key', async () => {
    const policy = fixedPolicy({ maxExtraRatio: 0.5 });
    await policy.run(async () => 'instant', { key: 'a' });
    const { attempt, started } = scriptedAttempts();
    // Key b has had one call (half a hedge of credit): no hedge, although key a also has half.
    void policy.run(attempt, { key: 'b' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);
    void policy.run(attempt, { key: 'a' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.map((s) => s.index)).toEqual([0, 0, 1]);
  });

  it('drops the least recently used key beyond maxKeys', async () => {
    const policy = createHedgePolicy({ delayMs: 'p95', minSamples: 1, maxKeys: 2, clock: fakeClock });
    await learn(policy, 'a', 10);
    await learn(policy, 'b', 20);
    await learn(policy, 'a', 10); // a is now the most recently used
    await learn(policy, 'c', 30);
    expect(policy.currentDelayMs('a')).toBe(10);
    expect(policy.currentDelayMs('b')).toBeUndefined();
    expect(policy.currentDelayMs('c')).toBe(30);
  });
});

describe('createHedgePolicy: throwing predicates', () => {
  it('counts a throwing mayHedge as a refusal', async () => {
    const { attempt, started, at } = scriptedAttempts();
    const policy = fixedPolicy();
    const call = policy.run(attempt, {
      mayHedge: () => {
        throw new Error('budget store down');
      },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);
    expect(policy.stats().refusedByCaller).toBe(1);
    at(0).result.resolve('primary');
    await expect(call).resolves.toBe('primary');
  });

  it('counts a throwing isFinalFailure as not final: the pending attempt still wins', async () => {
    const { attempt, at } = scriptedAttempts();
    const call = fixedPolicy().run(attempt, {
      isFinalFailure: () => {
        throw new Error('classifier bug');
      },
    });
    await vi.advanceTimersByTimeAsync(10);
    at(0).result.reject(new Error('primary failed'));
    await vi.advanceTimersByTimeAsync(0);
    at(1).result.resolve('hedge');
    await expect(call).resolves.toBe('hedge');
  });
});

describe('createHedgePolicy: default clock', () => {
  it('hedges on the real timers too', async () => {
    vi.useRealTimers();
    const policy = createHedgePolicy({ delayMs: 0, maxExtraRatio: 1 });
    const signals: AbortSignal[] = [];
    const context: HedgeCallContext = {};
    const value = await policy.run((signal, index) => {
      signals.push(signal);
      return index === 0 ? new Promise<string>(() => {}) : Promise.resolve('hedge');
    }, context);
    expect(value).toBe('hedge');
    expect(signals[0]?.aborted).toBe(true);
  });
});
