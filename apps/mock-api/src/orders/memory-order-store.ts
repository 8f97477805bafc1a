import { IDEMPOTENCY_TTL_MS, type KeyedOrder, type Order, type OrderStore } from './order-store.js';

export interface MemoryOrderStoreOptions {
  /** Oldest orders (and, separately, oldest key records) are dropped beyond this many. @default 100000 */
  readonly maxEntries?: number;
  /** Clock for the expiry of key records. @default Date.now */
  readonly now?: () => number;
}

export const MEMORY_ORDER_STORE_DEFAULTS = { maxEntries: 100_000 } as const;

interface KeyEntry {
  readonly record: KeyedOrder;
  readonly expiresAt: number;
}

/**
 * Orders in a Map, oldest dropped first beyond `maxEntries`, and the order of each `Idempotency-Key` for
 * `IDEMPOTENCY_TTL_MS`. `saveOnce` checks and writes in one synchronous turn: atomic within the process. For one
 * instance.
 */
export function createMemoryOrderStore(options: MemoryOrderStoreOptions = {}): OrderStore {
  const maxEntries = options.maxEntries ?? MEMORY_ORDER_STORE_DEFAULTS.maxEntries;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError(
      `createMemoryOrderStore: maxEntries must be a positive integer, got ${String(maxEntries)}`,
    );
  }
  const orders = new Map<string, Order>();
  const keys = new Map<string, KeyEntry>();

  function add(order: Order): void {
    orders.delete(order.id);
    orders.set(order.id, order);
    while (orders.size > maxEntries) {
      const oldest = orders.keys().next();
      if (oldest.done === true) break;
      orders.delete(oldest.value);
    }
  }

  /** Drops expired key records (oldest first, so the expired ones lead) and any beyond the cap. */
  function trimKeys(time: number): void {
    for (const [key, entry] of keys) {
      if (entry.expiresAt > time && keys.size <= maxEntries) break;
      keys.delete(key);
    }
  }

  return {
    async save(order) {
      add(order);
    },
    async saveOnce(key, fingerprint, order) {
      const time = now();
      trimKeys(time);
      const existing = keys.get(key);
      if (existing !== undefined) return { kind: 'existing', record: existing.record };
      add(order);
      keys.set(key, { record: { fingerprint, order }, expiresAt: time + IDEMPOTENCY_TTL_MS });
      trimKeys(time);
      return { kind: 'created' };
    },
    async get(id) {
      return orders.get(id);
    },
    async list(limit) {
      const all = [...orders.values()];
      return { orders: all.slice(-limit).reverse(), total: all.length };
    },
  };
}
