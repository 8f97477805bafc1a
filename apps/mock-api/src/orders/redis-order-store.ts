import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import type { RedisCommand } from '../redis/redis-connection.js';
import { ORDER_TTL_MS, type Order, type OrderStore } from './order-store.js';

export interface RedisOrderStoreOptions {
  readonly send: RedisCommand;
  /** Key prefix, e.g. `mock-api:`; orders go under `<prefix>order:<id>` and the index `<prefix>orders`. */
  readonly prefix: string;
  /** @default Date.now */
  readonly now?: () => number;
}

// Saves the order, indexes it by time and drops index entries older than the TTL, atomically.
const SAVE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

function parseOrder(raw: unknown): Order | undefined {
  if (typeof raw !== 'string') return undefined;
  return JSON.parse(raw) as Order;
}

/** Orders in Redis, shared by every instance using the same prefix. */
export function createRedisOrderStore(options: RedisOrderStoreOptions): OrderStore {
  const { send, prefix } = options;
  const now = options.now ?? Date.now;
  const orderKey = (id: string): string => `${prefix}order:${id}`;
  const indexKey = `${prefix}orders`;

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError(operation, cause);
    }
  }

  return {
    save: (order) =>
      run('saving the order', async () => {
        const time = now();
        await send([
          'EVAL',
          SAVE_SCRIPT,
          '2',
          orderKey(order.id),
          indexKey,
          JSON.stringify(order),
          String(ORDER_TTL_MS),
          String(time),
          order.id,
          String(time - ORDER_TTL_MS),
        ]);
      }),
    get: (id) => run('reading the order', async () => parseOrder(await send(['GET', orderKey(id)]))),
    list: (limit) =>
      run('listing orders', async () => {
        const [ids, total] = await Promise.all([
          send(['ZREVRANGE', indexKey, '0', String(limit - 1)]),
          send(['ZCARD', indexKey]),
        ]);
        const idList = Array.isArray(ids) ? ids.map(String) : [];
        if (idList.length === 0) return { orders: [], total: Number(total) };
        const values = await send(['MGET', ...idList.map(orderKey)]);
        const orders = (Array.isArray(values) ? values : [])
          .map(parseOrder)
          .filter((order): order is Order => order !== undefined);
        return { orders, total: Number(total) };
      }),
  };
}
