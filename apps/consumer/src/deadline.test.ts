import { describe, expect, it } from 'vitest';
import { createManualClock } from '../test/helpers/manual-clock.js';
import { withinDeadline } from './deadline.js';
import { isInboundDeadlineError } from './errors/inbound-deadline-error.js';

describe('withinDeadline', () => {
  it('passes the remaining budget and resolves with the call result', async () => {
    const clock = createManualClock(1_000);
    let remaining = -1;
    const result = await withinDeadline(
      clock,
      { at: 1_500, budgetMs: 2_000 },
      async (_signal, remainingMs) => {
        remaining = remainingMs;
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(remaining).toBe(500);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects with InboundDeadlineError at the deadline and aborts the call', async () => {
    const clock = createManualClock(0);
    let seen: AbortSignal | undefined;
    const result = withinDeadline(clock, { at: 100, budgetMs: 100 }, (signal) => {
      seen = signal;
      return new Promise<string>(() => {});
    });
    clock.advance(99);
    expect(seen?.aborted).toBe(false);
    clock.advance(1);
    await expect(result).rejects.toSatisfy(isInboundDeadlineError);
    expect(seen?.aborted).toBe(true);
    expect(isInboundDeadlineError(seen?.reason)).toBe(true);
  });

  it('ignores a late result after the deadline', async () => {
    const clock = createManualClock(0);
    let finish: (value: string) => void = () => {};
    const result = withinDeadline(
      clock,
      { at: 10, budgetMs: 10 },
      () => new Promise<string>((r) => (finish = r)),
    );
    clock.advance(10);
    finish('late');
    await expect(result).rejects.toThrow(/deadline of 10 ms/);
  });

  it('rejects at once without calling when the budget is spent', async () => {
    const clock = createManualClock(50);
    let called = false;
    await expect(
      withinDeadline(clock, { at: 50, budgetMs: 20 }, async () => {
        called = true;
      }),
    ).rejects.toSatisfy(isInboundDeadlineError);
    expect(called).toBe(false);
  });

  it('passes the call error through and clears its timer', async () => {
    const clock = createManualClock(0);
    await expect(
      withinDeadline(clock, { at: 10, budgetMs: 10 }, () => Promise.reject(new RangeError('boom'))),
    ).rejects.toThrow(RangeError);
    expect(clock.pendingTimers()).toBe(0);
    await expect(
      withinDeadline(clock, { at: 10, budgetMs: 10 }, () => {
        throw new TypeError('sync');
      }),
    ).rejects.toThrow(TypeError);
  });
});
