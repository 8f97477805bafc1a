import type { Clock } from './clock.js';

/** A good upstream response kept for stale-if-error. */
export interface CachedResponse<T = unknown> {
  readonly body: T;
  /** Clock time (ms) at which the response was received from the upstream. */
  readonly storedAt: number;
}

/** A cached response with its age, as served when the upstream fails. */
export interface StaleHit<T = unknown> {
  readonly body: T;
  /** Whole seconds since the response was received: the value of the `Age` header (RFC 9111). */
  readonly ageSeconds: number;
}

export interface StaleCacheOptions {
  /** Longest time a response may be served after it was received (ms). 0 disables the cache. */
  readonly ttlMs: number;
  /** Most entries kept; the least recently used is evicted first. 0 disables the cache. */
  readonly maxEntries: number;
  readonly clock: Pick<Clock, 'now'>;
}

export interface StaleCache<T = unknown> {
  /** Remembers the last good response for `key`. */
  set(key: string, body: T): void;
  /** The last good response for `key` if it is younger than the TTL; expired entries are dropped. */
  get(key: string): StaleHit<T> | undefined;
  readonly size: number;
  clear(): void;
}

/**
 * A bounded in-memory LRU cache with a TTL, used only to answer when the upstream cannot (stale-if-error). A
 * `Map` keeps insertion order: a hit or a write moves the key to the end, eviction takes the first key.
 */
export function createStaleCache<T = unknown>(options: StaleCacheOptions): StaleCache<T> {
  const { ttlMs, maxEntries, clock } = options;
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new TypeError('ttlMs must be an integer >= 0');
  if (!Number.isInteger(maxEntries) || maxEntries < 0)
    throw new TypeError('maxEntries must be an integer >= 0');
  const entries = new Map<string, CachedResponse<T>>();
  const enabled = ttlMs > 0 && maxEntries > 0;

  return {
    set(key, body) {
      if (!enabled) return;
      entries.delete(key);
      entries.set(key, { body, storedAt: clock.now() });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      const ageMs = Math.max(0, clock.now() - entry.storedAt);
      if (ageMs >= ttlMs) {
        entries.delete(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return { body: entry.body, ageSeconds: Math.floor(ageMs / 1000) };
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
