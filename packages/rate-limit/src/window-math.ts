import type { RateLimitAlgorithm, WindowCount } from './multi-window-store.js';

/**
 * A window's count moved to `now`: a fixed window that ended starts over at `now`; a sliding window rolls its
 * periods forward (the current period becomes the previous one) and starts over after two idle periods.
 */
export function rollWindow(
  count: WindowCount | undefined,
  now: number,
  windowMs: number,
  algorithm: RateLimitAlgorithm,
): WindowCount {
  if (count === undefined) return { start: now, current: 0, previous: 0 };
  const { start } = count;
  if (algorithm === 'fixed') return now >= start + windowMs ? { start: now, current: 0, previous: 0 } : count;
  if (now >= start + 2 * windowMs) return { start: now, current: 0, previous: 0 };
  if (now >= start + windowMs) return { start: start + windowMs, current: 0, previous: count.current };
  return count;
}

/**
 * Requests a client has used in its window at `now` (after `rollWindow`): the current period's count, plus, for a
 * sliding window, the previous period's count weighed by the part of it the window still covers.
 */
export function usedAt(
  count: WindowCount,
  now: number,
  windowMs: number,
  algorithm: RateLimitAlgorithm,
): number {
  if (algorithm === 'fixed' || count.previous === 0) return count.current;
  const elapsed = Math.min(Math.max(now - count.start, 0), windowMs);
  return count.previous * ((windowMs - elapsed) / windowMs) + count.current;
}

/** Whether one more request fits: what `consume` decides for each window (the same formula in Lua). */
export function fits(used: number, limit: number): boolean {
  return used + 1 <= limit;
}

/**
 * Milliseconds from `now` until one more request fits in the window (0 when it fits now), for a `count` as it
 * stands at `now` (rolled). A limit of 0 never fits: the window length is returned.
 */
export function retryAfterMs(
  count: WindowCount,
  now: number,
  windowMs: number,
  limit: number,
  algorithm: RateLimitAlgorithm,
): number {
  if (limit < 1) return windowMs;
  if (fits(usedAt(count, now, windowMs, algorithm), limit)) return 0;
  if (algorithm === 'fixed') return Math.max(count.start + windowMs - now, 1);
  const room = limit - 1;
  let at: number;
  if (count.current <= room) {
    // Within the current period: the previous period's weight has to fall to `room - current`.
    at = count.start + windowMs * (1 - (room - count.current) / count.previous);
  } else {
    // The next period: this one's count, now the previous one, has to fall to `room`.
    at = count.start + windowMs + windowMs * (1 - room / count.current);
  }
  let wait = Math.max(Math.ceil(at - now), 1);
  // Floating point may put the exact instant a hair early: step until the request really fits (a few ms at most).
  for (let step = 0; step < 4; step += 1) {
    const later = now + wait;
    const rolled = rollWindow(count, later, windowMs, algorithm);
    if (fits(usedAt(rolled, later, windowMs, algorithm), limit)) break;
    wait += 1;
  }
  return wait;
}

/**
 * Milliseconds from `now` until the window's count is back to zero: the end of a fixed window; for a sliding
 * window, the end of the period after the last one that counted a request.
 */
export function resetAfterMs(
  count: WindowCount,
  now: number,
  windowMs: number,
  algorithm: RateLimitAlgorithm,
): number {
  if (algorithm === 'fixed' || count.current === 0) return Math.max(count.start + windowMs - now, 0);
  return Math.max(count.start + 2 * windowMs - now, 0);
}
