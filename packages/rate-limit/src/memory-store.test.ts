import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore, DEFAULT_MEMORY_STORE_OPTIONS } from './memory-store.js';
import type { WindowLimit } from './multi-window-store.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const WINDOWS: WindowLimit[] = [
  { name: 'minute', windowMs: MINUTE, limit: 2, algorithm: 'fixed' },
  { name: 'hour', windowMs: HOUR, limit: 5, algorithm: 'sliding' },
];

afterEach(() => {
  vi.useRealTimers();
});

describe('createMemoryStore', () => {
  it('counts every window or none, and starts a window over when it ends', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 });
    const refusedBy = [];
    for (let i = 0; i < 4; i += 1) refusedBy.push((await store.consume('a', WINDOWS, i)).refusedBy);
    expect(refusedBy).toEqual([-1, -1, 0, 0]);
    const next = await store.consume('a', WINDOWS, MINUTE);
    expect(next).toEqual({
      refusedBy: -1,
      counts: [
        { start: MINUTE, current: 1, previous: 0 },
        { start: 0, current: 3, previous: 0 },
      ],
      now: MINUTE,
    });
    await store.consume('a', WINDOWS, MINUTE + 1);
    expect((await store.consume('a', WINDOWS, 2 * MINUTE)).refusedBy).toBe(-1);
    // The hour is full (5): the minute refuses nothing, yet counts nothing either.
    const byHour = await store.consume('a', WINDOWS, 2 * MINUTE + 1);
    expect(byHour.refusedBy).toBe(1);
    expect(byHour.counts[0]).toEqual({ start: 2 * MINUTE, current: 1, previous: 0 });
    expect(store.stats()).toEqual({ clients: 1, capacity: 1024, evicted: 0, reclaimed: 0 });
    store.shutdown();
  });

  it('never tracks a client whose first request is refused', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 });
    const closed: WindowLimit[] = [{ name: 'minute', windowMs: MINUTE, limit: 0, algorithm: 'fixed' }];
    expect((await store.consume('a', closed, 0)).refusedBy).toBe(0);
    expect(store.stats().clients).toBe(0);
  });

  it('reclaims the clients whose every window has ended (a sliding one lasts two periods)', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 });
    await store.consume('a', WINDOWS, 0);
    await store.consume('b', WINDOWS, HOUR);
    expect(store.sweep(2 * HOUR - 1)).toBe(0);
    expect(store.sweep(2 * HOUR)).toBe(1);
    expect(store.stats()).toMatchObject({ clients: 1, reclaimed: 1 });
    // The freed slot is used again: capacity does not grow.
    await store.consume('c', WINDOWS, 2 * HOUR);
    expect(store.stats()).toMatchObject({ clients: 2, capacity: 1024 });
    expect((await store.consume('a', WINDOWS, 2 * HOUR)).counts[0]?.current).toBe(1);
  });

  it('sweeps on a timer that does not hold the process open, and stops it on shutdown', async () => {
    vi.useFakeTimers();
    let now = 0;
    const store = createMemoryStore({ sweepIntervalMs: MINUTE, now: () => now });
    await store.consume('a', [{ name: 'minute', windowMs: MINUTE, limit: 2, algorithm: 'fixed' }], 0);
    expect(vi.getTimerCount()).toBe(1);
    now = MINUTE;
    vi.advanceTimersByTime(MINUTE);
    expect(store.stats()).toMatchObject({ clients: 0, reclaimed: 1 });
    store.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts its sweep timer with the first client, unref()ed so it never holds the process open', async () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    const store = createMemoryStore();
    expect(setInterval).not.toHaveBeenCalled();
    await store.consume('a', WINDOWS, 0);
    await store.consume('b', WINDOWS, 0);
    expect(setInterval).toHaveBeenCalledTimes(1);
    expect(setInterval.mock.calls[0]?.[1]).toBe(60_000);
    const timer = setInterval.mock.results[0]?.value as NodeJS.Timeout | undefined;
    expect(timer?.hasRef()).toBe(false);
    store.shutdown();
  });

  it('when full, drops the least recently seen client for a new one', async () => {
    const store = createMemoryStore({ maxClients: 3, sweepIntervalMs: 0 });
    const one: WindowLimit[] = [{ name: 'minute', windowMs: MINUTE, limit: 1, algorithm: 'fixed' }];
    for (const key of ['a', 'b', 'c']) await store.consume(key, one, 0);
    // a is counted again (under a higher limit), so b is now the least recently seen.
    expect((await store.consume('a', [{ ...(one[0] as WindowLimit), limit: 5 }], 1)).refusedBy).toBe(-1);
    await store.consume('d', one, 2);
    expect(store.stats()).toEqual({ clients: 3, capacity: 3, evicted: 1, reclaimed: 0 });
    // b was dropped: it starts over (and drops c, now the oldest); a and d are still counted.
    expect((await store.consume('b', one, 3)).refusedBy).toBe(-1);
    expect(store.stats().evicted).toBe(2);
    expect((await store.consume('a', one, 3)).refusedBy).toBe(0);
    expect((await store.consume('d', one, 3)).refusedBy).toBe(0);
  });

  it('counts a full store reclaiming an ended client as reclaimed, not evicted', async () => {
    const store = createMemoryStore({ maxClients: 1, sweepIntervalMs: 0 });
    const one: WindowLimit[] = [{ name: 'minute', windowMs: MINUTE, limit: 1, algorithm: 'fixed' }];
    await store.consume('a', one, 0);
    await store.consume('b', one, MINUTE);
    expect(store.stats()).toEqual({ clients: 1, capacity: 1, evicted: 0, reclaimed: 1 });
  });

  it('forgets a client with resetKey', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 });
    await store.consume('a', WINDOWS, 0);
    await store.consume('a', WINDOWS, 0);
    await store.resetKey('a');
    expect((await store.consume('a', WINDOWS, 0)).counts[0]?.current).toBe(1);
  });

  it('refuses a second set of windows of another size, and invalid options', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 });
    await store.consume('a', WINDOWS, 0);
    await expect(store.consume('a', WINDOWS.slice(0, 1), 0)).rejects.toThrow(
      'createMemoryStore: a store counts one set of 2 windows, got 1',
    );
    expect(() => createMemoryStore({ maxClients: 0 })).toThrow(
      'createMemoryStore: maxClients must be an integer from 1 to 16777216, got 0',
    );
    expect(() => createMemoryStore({ sweepIntervalMs: -1 })).toThrow(
      'createMemoryStore: sweepIntervalMs must be an integer from 0 to 2147483647, got -1',
    );
    expect(DEFAULT_MEMORY_STORE_OPTIONS).toEqual({ maxClients: 500_000, sweepIntervalMs: 60_000 });
    expect(() =>
      createMemoryStore({ maxClients: 2 ** 24, sweepIntervalMs: 2 ** 31 - 1 }).shutdown(),
    ).not.toThrow();
    expect(() => createMemoryStore({ maxClients: 2 ** 24 + 1 })).toThrow(
      'maxClients must be an integer from 1 to',
    );
    expect(createMemoryStore().localKeys).toBe(true);
  });

  it('grows its arrays by doubling and keeps every count across the growth', async () => {
    const store = createMemoryStore({ sweepIntervalMs: 0 });
    const one: WindowLimit[] = [{ name: 'minute', windowMs: MINUTE, limit: 2, algorithm: 'fixed' }];
    for (let i = 0; i < 3000; i += 1) await store.consume(`k${i}`, one, 0);
    expect(store.stats()).toMatchObject({ clients: 3000, capacity: 4096 });
    expect((await store.consume('k0', one, 1)).counts[0]?.current).toBe(2);
    expect((await store.consume('k2999', one, 1)).counts[0]?.current).toBe(2);
  });
});
