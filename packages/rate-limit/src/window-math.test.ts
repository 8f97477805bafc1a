import { describe, expect, it } from 'vitest';
import type { WindowCount } from './multi-window-store.js';
import { fits, resetAfterMs, retryAfterMs, rollWindow, usedAt } from './window-math.js';

const W = 60_000;

describe('rollWindow', () => {
  it('starts a fixed window over once it has ended, at the request that finds it ended', () => {
    const count: WindowCount = { start: 1_000, current: 7, previous: 0 };
    expect(rollWindow(count, 1_000 + W - 1, W, 'fixed')).toBe(count);
    expect(rollWindow(count, 1_000 + W, W, 'fixed')).toEqual({ start: 1_000 + W, current: 0, previous: 0 });
    expect(rollWindow(undefined, 5, W, 'fixed')).toEqual({ start: 5, current: 0, previous: 0 });
  });

  it('rolls a sliding window by whole periods on the grid of its first request', () => {
    const count: WindowCount = { start: 1_000, current: 7, previous: 3 };
    expect(rollWindow(count, 1_000 + W - 1, W, 'sliding')).toBe(count);
    expect(rollWindow(count, 1_000 + W + 5, W, 'sliding')).toEqual({
      start: 1_000 + W,
      current: 0,
      previous: 7,
    });
    expect(rollWindow(count, 1_000 + 2 * W, W, 'sliding')).toEqual({
      start: 1_000 + 2 * W,
      current: 0,
      previous: 0,
    });
  });
});

describe('usedAt', () => {
  it('weighs the previous period by the part of it the window still covers', () => {
    const count: WindowCount = { start: 0, current: 2, previous: 10 };
    expect(usedAt(count, 0, W, 'sliding')).toBe(12);
    expect(usedAt(count, W / 4, W, 'sliding')).toBe(9.5);
    expect(usedAt(count, W / 2, W, 'sliding')).toBe(7);
    expect(usedAt(count, W, W, 'sliding')).toBe(2);
    // A clock behind the period start (another instance's) counts the whole previous period.
    expect(usedAt(count, -5, W, 'sliding')).toBe(12);
    expect(usedAt(count, W / 2, W, 'fixed')).toBe(2);
  });

  it('lets a request through while used + 1 <= limit', () => {
    expect([fits(8.9, 10), fits(9, 10), fits(9.01, 10), fits(0, 0)]).toEqual([true, true, false, false]);
  });
});

describe('retryAfterMs', () => {
  it('is 0 when the request fits, the window for a limit of 0, the end of a full fixed window', () => {
    expect(retryAfterMs({ start: 0, current: 3, previous: 0 }, 10, W, 5, 'fixed')).toBe(0);
    expect(retryAfterMs({ start: 0, current: 0, previous: 0 }, 10, W, 0, 'sliding')).toBe(W);
    expect(retryAfterMs({ start: 0, current: 5, previous: 0 }, 10_000, W, 5, 'fixed')).toBe(W - 10_000);
  });

  it.each([
    ['the previous period fading', { start: 0, current: 4, previous: 10 }, 6_000, 10],
    ['the current period, next period', { start: 0, current: 10, previous: 0 }, 30_000, 10],
    ['both full', { start: 0, current: 10, previous: 10 }, 12_345, 10],
    ['a limit of 1', { start: 0, current: 1, previous: 1 }, 59_999, 1],
    ['an odd ratio', { start: 0, current: 2, previous: 7 }, 1, 7],
  ])('waits exactly until one more request fits: %s', (_name, count, now, limit) => {
    const rolled = rollWindow(count, now, W, 'sliding');
    const wait = retryAfterMs(rolled, now, W, limit, 'sliding');
    expect(wait).toBeGreaterThan(0);
    const fitsAt = (t: number) => {
      const at = rollWindow(rolled, t, W, 'sliding');
      return fits(usedAt(at, t, W, 'sliding'), limit);
    };
    expect(fitsAt(now + wait)).toBe(true);
    expect(fitsAt(now + wait - 1)).toBe(false);
  });
});

describe('resetAfterMs', () => {
  it('is the end of a fixed window, and of the period after the last counted one for a sliding window', () => {
    expect(resetAfterMs({ start: 0, current: 3, previous: 0 }, 10_000, W, 'fixed')).toBe(50_000);
    expect(resetAfterMs({ start: 0, current: 3, previous: 2 }, 10_000, W, 'sliding')).toBe(110_000);
    expect(resetAfterMs({ start: 0, current: 0, previous: 2 }, 10_000, W, 'sliding')).toBe(50_000);
    expect(resetAfterMs({ start: 0, current: 3, previous: 0 }, 2 * W + 1, W, 'sliding')).toBe(0);
  });
});
