import { vi } from 'vitest';
import type { RetryEvent } from '../../src/index.js';

/**
 * Fake timers for the waits the client makes (setTimeout, Date). Socket I/O and setImmediate stay real, so
 * real servers keep working; the test moves time forward only when the client is waiting.
 */
export function useFakeTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/**
 * An `onRetry` hook that records each retry and, once the backoff timer is armed, moves fake time forward by
 * exactly the announced delay.
 */
export function advancingOnRetry(record: RetryEvent[] = []): (event: RetryEvent) => void {
  return (event) => {
    record.push(event);
    setImmediate(() => vi.advanceTimersByTime(event.delayMs));
  };
}

/** Moves fake time forward by `ms` on the next turn of the event loop (after pending timers are armed). */
export function advanceSoon(ms: number): void {
  setImmediate(() => vi.advanceTimersByTime(ms));
}
