/** An order as stored and returned. Money in integer cents. */
export interface Order {
  readonly id: string;
  readonly itemId: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly totalCents: number;
  readonly currency: 'EUR';
  readonly status: 'confirmed';
  /** The `Idempotency-Key` of the request that created it, or `null`. */
  readonly idempotencyKey: string | null;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** What an `Idempotency-Key` holds: the fingerprint of the request that created its order, and the order. */
export interface KeyedOrder {
  readonly fingerprint: string;
  readonly order: Order;
}

/** What {@link OrderStore.saveOnce} did: saved the order, or found the key's order and saved nothing. */
export type SaveOnceOutcome =
  | { readonly kind: 'created' }
  | { readonly kind: 'existing'; readonly record: KeyedOrder };

/** Where orders live: memory (one instance) or Redis (shared by every instance). */
export interface OrderStore {
  /** Saves an order made without an `Idempotency-Key`. */
  save(order: Order): Promise<void>;
  /**
   * Saves `order` as the one order of the scoped `Idempotency-Key` `key`, together with its record, unless the key
   * already holds an order: then returns that record and saves nothing. One atomic step (memory: one synchronous
   * turn; Redis: one Lua script), so a write that times out or is lost leaves both or neither, and a retry finds
   * either nothing (and creates) or the order (and replays it).
   */
  saveOnce(key: string, fingerprint: string, order: Order): Promise<SaveOnceOutcome>;
  get(id: string): Promise<Order | undefined>;
  /** The newest orders first, at most `limit`, and how many orders are kept in total. */
  list(limit: number): Promise<{ readonly orders: readonly Order[]; readonly total: number }>;
}

/** Orders are kept this long in Redis (and at most `maxEntries` in memory). */
export const ORDER_TTL_MS = 24 * 60 * 60 * 1000;
/** An `Idempotency-Key` keeps its order this long: a retry within it replays, never creates. */
export const IDEMPOTENCY_TTL_MS = ORDER_TTL_MS;
