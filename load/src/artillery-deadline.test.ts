import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createArtilleryDeadline } from './artillery-deadline.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
});

function deadline(marginMs: number) {
  const reasons: string[] = [];
  const created = createArtilleryDeadline({ marginMs, onTimeout: (reason) => reasons.push(reason) });
  return { deadline: created, reasons };
}

describe('createArtilleryDeadline', () => {
  it('fires the margin after start when no phase has started', () => {
    const { reasons } = deadline(200);

    vi.advanceTimersByTime(199);
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reasons).toEqual(['timed out: no exit 0.2 s after the first phase to start; killed']);
  });

  it('moves the deadline to the planned end of the phase that started, plus the margin', () => {
    const { deadline: timer, reasons } = deadline(200);
    vi.advanceTimersByTime(150);
    timer.phaseStarted({ name: 'only', durationSec: 1 });

    // The first deadline (200 ms after start) has passed without firing: the phase start replaced it.
    vi.advanceTimersByTime(1_199);
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reasons).toEqual(['timed out: no exit 0.2 s after phase only (1 s) should have ended; killed']);
  });

  it('names the phase that started last', () => {
    const { deadline: timer, reasons } = deadline(60_000);
    timer.phaseStarted({ name: 'warm-up', durationSec: 10 });
    vi.advanceTimersByTime(10_000);
    timer.phaseStarted({ name: 'steady', durationSec: 120 });

    vi.advanceTimersByTime(179_999);
    expect(reasons).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(reasons).toEqual(['timed out: no exit 60 s after phase steady (120 s) should have ended; killed']);
  });

  it('never fires once cleared, and fires at most once', () => {
    const cleared = deadline(200);
    cleared.deadline.clear();
    vi.advanceTimersByTime(10_000);
    expect(cleared.reasons).toEqual([]);

    const fired = deadline(200);
    vi.advanceTimersByTime(200);
    fired.deadline.phaseStarted({ name: 'late', durationSec: 1 });
    vi.advanceTimersByTime(10_000);
    expect(fired.reasons).toHaveLength(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a margin of %s, naming the option',
    (marginMs) => {
      expect(() => createArtilleryDeadline({ marginMs, onTimeout: () => {} })).toThrow(
        new TypeError(`timeoutMarginMs must be a positive number of milliseconds, got ${marginMs}`),
      );
    },
  );
});
