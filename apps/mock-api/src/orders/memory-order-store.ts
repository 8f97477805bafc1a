import type { Order, OrderStore } from './order-store.js';

export interface MemoryOrderStoreOptions {
  /** Oldest orders are dropped beyond this many. @default 100000 */
  readonly maxEntries?: number;
}

export const MEMORY_ORDER_STORE_DEFAULTS = { maxEntries: 100_000 } as const;

/** Orders in a Map, oldest dropped first beyond `maxEntries`. For one instance. */
export function createMemoryOrderStore(options: MemoryOrderStoreOptions = {}): OrderStore {
  const maxEntries = options.maxEntries ?? MEMORY_ORDER_STORE_DEFAULTS.maxEntries;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('createMemoryOrderStore: maxEntries must be a positive integer');
  }
  const orders = new Map<string, Order>();
  return {
    async save(order) {
      orders.set(order.id, order);
      while (orders.size > maxEntries) {
        const oldest = orders.keys().next();
        if (oldest.done === true) break;
        orders.delete(oldest.value);
      }
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
