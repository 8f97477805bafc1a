import { describe, expect, it } from 'vitest';
import { createStaleCache } from './stale-cache.js';

function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createStaleCache', () => {
  it('returns the stored body with its age in whole seconds', () => {
    const clock = manualClock();
    const cache = createStaleCache({ ttlMs: 60_000, maxEntries: 10, clock });
    cache.set('/catalog', { items: [1] });
    expect(cache.get('/catalog')).toEqual({ body: { items: [1] }, ageSeconds: 0 });
    clock.advance(1_999);
    expect(cache.get('/catalog')).toEqual({ body: { items: [1] }, ageSeconds: 1 });
    clock.advance(1);
    expect(cache.get('/catalog')?.ageSeconds).toBe(2);
  });

  it('does not serve an entry at or past its TTL and drops it', () => {
    const clock = manualClock();
    const cache = createStaleCache({ ttlMs: 5_000, maxEntries: 10, clock });
    cache.set('a', 'A');
    clock.advance(4_999);
    expect(cache.get('a')?.body).toBe('A');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('a new write restarts the age', () => {
    const clock = manualClock();
    const cache = createStaleCache({ ttlMs: 5_000, maxEntries: 10, clock });
    cache.set('a', 'old');
    clock.advance(4_000);
    cache.set('a', 'new');
    clock.advance(4_000);
    expect(cache.get('a')).toEqual({ body: 'new', ageSeconds: 4 });
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = createStaleCache({ ttlMs: 60_000, maxEntries: 2, clock: manualClock() });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')?.body).toBe(1);
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.body).toBe(1);
    expect(cache.get('c')?.body).toBe(3);
  });

  it('stores nothing when the TTL or the size is 0', () => {
    for (const options of [
      { ttlMs: 0, maxEntries: 5 },
      { ttlMs: 1_000, maxEntries: 0 },
    ]) {
      const cache = createStaleCache({ ...options, clock: manualClock() });
      cache.set('a', 1);
      expect(cache.get('a')).toBeUndefined();
      expect(cache.size).toBe(0);
    }
  });

  it('clamps a clock that moved backwards to age 0', () => {
    const clock = manualClock();
    const cache = createStaleCache({ ttlMs: 5_000, maxEntries: 1, clock });
    cache.set('a', 1);
    clock.advance(-10_000);
    expect(cache.get('a')).toEqual({ body: 1, ageSeconds: 0 });
  });

  it('rejects invalid options', () => {
    expect(() => createStaleCache({ ttlMs: -1, maxEntries: 1, clock: manualClock() })).toThrow(/ttlMs/);
    expect(() => createStaleCache({ ttlMs: 1, maxEntries: 1.5, clock: manualClock() })).toThrow(/maxEntries/);
  });

  it('clear() empties it', () => {
    const cache = createStaleCache({ ttlMs: 1_000, maxEntries: 5, clock: manualClock() });
    cache.set('a', 1);
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });
});
