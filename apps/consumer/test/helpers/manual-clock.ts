import type { Clock } from '../../src/clock.js';

export interface ManualClock extends Clock {
  /** Moves time forward and runs, in order, every timer that became due. */
  advance(ms: number): void;
  pendingTimers(): number;
}

/** A clock that only moves when told to. */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= target).sort(([, a], [, b]) => a.at - b.at)[0];
        if (due === undefined) break;
        const [id, timer] = due;
        timers.delete(id);
        now = Math.max(now, timer.at);
        timer.callback();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
  };
}
