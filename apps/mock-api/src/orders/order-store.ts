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

/** Where orders live: memory (one instance) or Redis (shared by every instance). */
export interface OrderStore {
  save(order: Order): Promise<void>;
  get(id: string): Promise<Order | undefined>;
  /** The newest orders first, at most `limit`, and how many orders are kept in total. */
  list(limit: number): Promise<{ readonly orders: readonly Order[]; readonly total: number }>;
}

/** Orders are kept this long (and at most `ORDER_MAX_ENTRIES` in memory). */
export const ORDER_TTL_MS = 24 * 60 * 60 * 1000;
