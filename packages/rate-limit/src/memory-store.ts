import type { ConsumeResult, MultiWindowStore, WindowCount, WindowLimit } from './multi-window-store.js';
import { fits, rollWindow, usedAt } from './window-math.js';

export interface MemoryStoreOptions {
  /**
   * Most clients tracked at once (an integer from 1 to 2^24). When a new client arrives and the store is full,
   * the least recently seen client is dropped (it starts over with a fresh count on its next request).
   * @default 500000
   */
  readonly maxClients?: number;
  /** How often a timer reclaims clients whose every window has ended; 0 = no timer (call `sweep()`). @default 60000 */
  readonly sweepIntervalMs?: number;
  /** Clock of the timer's sweeps (counting uses the `now` each `consume` is given). @default Date.now */
  readonly now?: () => number;
}

/** What a memory store holds, for dashboards and tests. */
export interface MemoryStoreStats {
  /** Clients tracked now. */
  readonly clients: number;
  /** Client slots allocated (grows by doubling up to `maxClients`). */
  readonly capacity: number;
  /** Clients dropped while their count was live, because the store was full. */
  readonly evicted: number;
  /** Clients removed because every window of theirs had ended. */
  readonly reclaimed: number;
}

/** The default store: every window of every client in this process, in a few flat typed arrays. */
export interface MemoryStore extends MultiWindowStore {
  readonly localKeys: true;
  /** Removes the clients whose every window has ended at `now`; returns how many. */
  sweep(now?: number): number;
  stats(): MemoryStoreStats;
  resetKey(key: string): Promise<void>;
  /** Stops the sweep timer and forgets every client. */
  shutdown(): void;
}

/** Defaults of {@link MemoryStoreOptions}. */
export const DEFAULT_MEMORY_STORE_OPTIONS = Object.freeze({
  maxClients: 500_000,
  sweepIntervalMs: 60_000,
});

const MAX_CLIENTS = 2 ** 24;
const INITIAL_CAPACITY = 1024;

function check(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `createMemoryStore: ${option} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * A bounded in-process multi-window store. Per client it keeps one `Map` entry (key to slot) and, per window,
 * 16 bytes in typed arrays (period start as a float64, current and previous counts as uint32), plus one float64
 * expiry: no object per client. The Map is kept in least-recently-seen order, which is the eviction order when
 * `maxClients` is reached; clients whose windows all ended are reclaimed by the sweep, or first when full.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxClients = check(
    'maxClients',
    options.maxClients ?? DEFAULT_MEMORY_STORE_OPTIONS.maxClients,
    1,
    MAX_CLIENTS,
  );
  const sweepIntervalMs = check(
    'sweepIntervalMs',
    options.sweepIntervalMs ?? DEFAULT_MEMORY_STORE_OPTIONS.sweepIntervalMs,
    0,
    2 ** 31 - 1,
  );
  const clock = options.now ?? Date.now;

  let width = 0; // windows per client, fixed by the first consume
  let capacity = 0;
  let starts = new Float64Array(0);
  let currents = new Uint32Array(0);
  let previouses = new Uint32Array(0);
  let expiries = new Float64Array(0);
  const slots = new Map<string, number>();
  const free: number[] = [];
  let nextSlot = 0;
  let evicted = 0;
  let reclaimed = 0;

  function bind(count: number): void {
    if (width === 0) {
      width = count;
      return;
    }
    if (count !== width) {
      throw new TypeError(`createMemoryStore: a store counts one set of ${width} windows, got ${count}`);
    }
  }

  function grow(): void {
    const next = Math.min(maxClients, Math.max(INITIAL_CAPACITY, capacity * 2));
    const resize = <T extends Float64Array | Uint32Array>(
      from: T,
      make: (n: number) => T,
      per: number,
    ): T => {
      const to = make(next * per);
      to.set(from);
      return to;
    };
    starts = resize(starts, (n) => new Float64Array(n), width);
    currents = resize(currents, (n) => new Uint32Array(n), width);
    previouses = resize(previouses, (n) => new Uint32Array(n), width);
    expiries = resize(expiries, (n) => new Float64Array(n), 1);
    capacity = next;
  }

  function release(key: string, slot: number): void {
    slots.delete(key);
    free.push(slot);
  }

  /** A slot for a new client: a free one, a fresh one, or the least recently seen client's. */
  function allocate(now: number): number {
    const reused = free.pop();
    if (reused !== undefined) return reused;
    if (nextSlot < capacity || capacity < maxClients) {
      if (nextSlot >= capacity) grow();
      const slot = nextSlot;
      nextSlot += 1;
      return slot;
    }
    const oldest = slots.entries().next().value;
    if (oldest === undefined) throw new Error('createMemoryStore: full with no client to drop');
    const [key, slot] = oldest;
    if ((expiries[slot] ?? 0) <= now) reclaimed += 1;
    else evicted += 1;
    slots.delete(key);
    return slot;
  }

  function read(slot: number | undefined, index: number): WindowCount | undefined {
    if (slot === undefined) return undefined;
    const at = slot * width + index;
    return { start: starts[at] ?? 0, current: currents[at] ?? 0, previous: previouses[at] ?? 0 };
  }

  function sweep(now: number = clock()): number {
    let removed = 0;
    for (const [key, slot] of slots) {
      if ((expiries[slot] ?? 0) <= now) {
        release(key, slot);
        removed += 1;
      }
    }
    reclaimed += removed;
    return removed;
  }

  let timer: NodeJS.Timeout | undefined;
  function startTimer(): void {
    if (timer !== undefined || sweepIntervalMs === 0) return;
    timer = setInterval(() => sweep(), sweepIntervalMs);
    timer.unref();
  }

  return {
    localKeys: true,
    async consume(key: string, windows: readonly WindowLimit[], now: number): Promise<ConsumeResult> {
      bind(windows.length);
      let slot = slots.get(key);
      const counts: WindowCount[] = [];
      let refusedBy = -1;
      for (let index = 0; index < windows.length; index += 1) {
        const window = windows[index] as WindowLimit;
        const count = rollWindow(read(slot, index), now, window.windowMs, window.algorithm);
        if (refusedBy === -1 && !fits(usedAt(count, now, window.windowMs, window.algorithm), window.limit)) {
          refusedBy = index;
        }
        counts.push(count);
      }
      if (refusedBy !== -1) return { refusedBy, counts, now };
      if (slot === undefined) {
        slot = allocate(now);
        startTimer();
      } else {
        // Least recently seen first: a hit moves the client to the end of the Map's order.
        slots.delete(key);
      }
      slots.set(key, slot);
      let expiry = 0;
      for (let index = 0; index < windows.length; index += 1) {
        const window = windows[index] as WindowLimit;
        const count = counts[index] as WindowCount;
        const counted = { start: count.start, current: count.current + 1, previous: count.previous };
        counts[index] = counted;
        const at = slot * width + index;
        starts[at] = counted.start;
        currents[at] = counted.current;
        previouses[at] = counted.previous;
        const ends = counted.start + (window.algorithm === 'sliding' ? 2 : 1) * window.windowMs;
        if (ends > expiry) expiry = ends;
      }
      expiries[slot] = expiry;
      return { refusedBy, counts, now };
    },
    async resetKey(key: string): Promise<void> {
      const slot = slots.get(key);
      if (slot !== undefined) release(key, slot);
    },
    sweep,
    stats: () => ({ clients: slots.size, capacity, evicted, reclaimed }),
    shutdown(): void {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      slots.clear();
      free.length = 0;
      nextSlot = 0;
    },
  };
}
