import { createBreakerRegistry } from '@resilience/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResilience } from './create-resilience.js';
import { createHedgePolicy } from './hedge/create-hedge-policy.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The primary (first call of `op`) hangs until aborted; later calls answer after 10 ms. */
function slowPrimary() {
  const signals: AbortSignal[] = [];
  const op = vi.fn(
    (signal: AbortSignal) =>
      new Promise<string>((resolve, reject) => {
        signals.push(signal);
        const index = signals.length - 1;
        signal.addEventListener('abort', () => reject(signal.reason));
        if (index > 0) setTimeout(() => resolve(`answer ${index}`), 10);
      }),
  );
  return { op, signals };
}

describe('run with hedge', () => {
  it('sends a hedge after the delay; the hedge wins and the primary is aborted', async () => {
    const breakers = createBreakerRegistry();
    const call = createResilience({ breaker: breakers });
    const hedge = createHedgePolicy({ delayMs: 100, maxExtraRatio: 1 });
    const { op, signals } = slowPrimary();
    const won: number[] = [];
    const result = call.run('up', op, {
      idempotent: true,
      hedge,
      hedgeHooks: { onWin: ({ index }) => won.push(index) },
    });
    await vi.advanceTimersByTimeAsync(110);
    expect(await result).toBe('answer 1');
    expect(op).toHaveBeenCalledTimes(2);
    expect(signals[0]?.aborted).toBe(true);
    expect(won).toEqual([1]);
    expect(hedge.stats()).toMatchObject({ hedgesSent: 1, hedgesWon: 1, cancelled: 1 });
    call.close();
    breakers.shutdown();
  });

  it('sends no hedge while the breaker is not CLOSED, nor for a call that is not idempotent', async () => {
    const breakers = createBreakerRegistry({ failureThreshold: 1, resetTimeoutMs: 1_000 });
    const call = createResilience({ breaker: breakers, attemptTimeoutMs: 5_000 });
    const hedge = createHedgePolicy({ delayMs: 100, maxExtraRatio: 1 });
    // Open, then wait into HALF_OPEN: one trial, never hedged.
    await call.run('up', async () => Promise.reject(new Error('boom'))).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(breakers.get('up').state).toBe('HALF_OPEN');
    const trial = slowPrimary();
    const pending = call.run('up', trial.op, { idempotent: true, hedge }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(trial.op).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5_000);
    await pending;

    const notIdempotent = slowPrimary();
    const breakersClosed = createResilience({ breaker: false, attemptTimeoutMs: 5_000 });
    const post = breakersClosed.run('up', notIdempotent.op, { hedge }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(notIdempotent.op).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5_000);
    await post;
    expect(hedge.stats().hedgesSent).toBe(0);
    call.close();
    breakersClosed.close();
    breakers.shutdown();
  });

  it('spends the shared retry budget: a spent budget refuses the hedge', async () => {
    const call = createResilience({
      breaker: false,
      attemptTimeoutMs: 5_000,
      retryBudget: { ratio: 0.01, minRetriesPerWindow: 0 },
    });
    const hedge = createHedgePolicy({ delayMs: 100, maxExtraRatio: 1 });
    const { op } = slowPrimary();
    const refused: string[] = [];
    const pending = call
      .run('up', op, {
        idempotent: true,
        hedge,
        hedgeHooks: { onRefuse: ({ reason }) => refused.push(reason) },
      })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(op).toHaveBeenCalledTimes(1);
    expect(refused).toEqual(['caller']);
    await vi.advanceTimersByTimeAsync(5_000);
    await pending;
    call.close();
  });
});
