import { createHash } from 'node:crypto';
import { ReplicationUnconfirmedError } from '../errors/replication-unconfirmed-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import { commandMayHaveRun, type RedisCommand } from '../redis/redis-connection.js';
import {
  IDEMPOTENCY_TTL_MS,
  type KeyedOrder,
  ORDER_TTL_MS,
  type Order,
  type OrderStore,
} from './order-store.js';

export interface RedisOrderStoreOptions {
  readonly send: RedisCommand;
  /**
   * Key prefix, e.g. `mock-api:`; orders go under `<prefix>{orders}:order:<id>`, the index under
   * `<prefix>{orders}:index` and the order of each `Idempotency-Key` under `<prefix>{orders}:idem:<sha256 of the
   * scoped key>`. The hash tag `{orders}` puts them all in one slot, so each script is single-slot on a cluster.
   */
  readonly prefix: string;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * On a cluster with replicas: a new order counts as saved only once this many replicas have it (`WAIT`),
   * so a master killed right after the script cannot take an acknowledged order with it. When fewer confirm
   * within `replicaWaitMs`, saving fails with "may have run" (503 `order_outcome_unknown`): a retry with the
   * same `Idempotency-Key` then finds the order or, if it was lost with its master, saves it once.
   * @default 0 (no wait: one Redis)
   */
  readonly replicas?: number;
  /** @default 500 */
  readonly replicaWaitMs?: number;
}

// KEYS[1] order, KEYS[2] index; ARGV[1] order JSON, ARGV[2] TTL ms, ARGV[3] now ms, ARGV[4] id, ARGV[5] oldest kept.
// Saves the order, indexes it by time and drops index entries older than the TTL.
const SAVE_ORDER = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])`;

const SAVE_SCRIPT = `${SAVE_ORDER}
return 1`;

// KEYS[3] the key's record; ARGV[6] record JSON, ARGV[7] its TTL ms. Returns the record the key already holds
// (and writes nothing), or nil after writing the order, its index entry and the record. A Lua script runs
// atomically: whatever happens on the wire, Redis has run all of it or none.
const SAVE_ONCE_SCRIPT = `
local existing = redis.call('GET', KEYS[3])
if existing then return existing end
${SAVE_ORDER}
redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[7])
return false`;

function parseOrder(raw: unknown): Order | undefined {
  if (typeof raw !== 'string') return undefined;
  return JSON.parse(raw) as Order;
}

/** Orders in Redis, shared by every instance using the same prefix. */
export function createRedisOrderStore(options: RedisOrderStoreOptions): OrderStore {
  const { send, prefix } = options;
  const now = options.now ?? Date.now;
  const replicas = options.replicas ?? 0;
  const replicaWaitMs = options.replicaWaitMs ?? 500;
  // One hash tag for every key of the orders: the save script writes order, index and record atomically, and a
  // Redis Cluster runs a script only when all its keys share a slot.
  const base = `${prefix}{orders}:`;
  const orderKey = (id: string): string => `${base}order:${id}`;
  const indexKey = `${base}index`;
  const recordKey = (key: string): string => `${base}idem:${createHash('sha256').update(key).digest('hex')}`;

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError(operation, cause, { mayHaveRun: commandMayHaveRun(cause) });
    }
  }

  /** Waits until `replicas` replicas of the node holding the order keys have every write so far. */
  async function confirmReplicated(): Promise<void> {
    if (replicas === 0) return;
    const confirmed = Number(await send(['WAIT', String(replicas), String(replicaWaitMs)], indexKey));
    if (confirmed < replicas) {
      throw new ReplicationUnconfirmedError(replicas, confirmed, replicaWaitMs);
    }
  }

  function saveArgs(order: Order): string[] {
    const time = now();
    return [JSON.stringify(order), String(ORDER_TTL_MS), String(time), order.id, String(time - ORDER_TTL_MS)];
  }

  return {
    save: (order) =>
      run('saving the order', async () => {
        await send(['EVAL', SAVE_SCRIPT, '2', orderKey(order.id), indexKey, ...saveArgs(order)]);
        await confirmReplicated();
      }),
    saveOnce: (key, fingerprint, order) =>
      run('saving the order', async () => {
        const record: KeyedOrder = { fingerprint, order };
        const existing = await send([
          'EVAL',
          SAVE_ONCE_SCRIPT,
          '3',
          orderKey(order.id),
          indexKey,
          recordKey(key),
          ...saveArgs(order),
          JSON.stringify(record),
          String(IDEMPOTENCY_TTL_MS),
        ]);
        if (typeof existing !== 'string') {
          await confirmReplicated();
          return { kind: 'created' };
        }
        return { kind: 'existing', record: JSON.parse(existing) as KeyedOrder };
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
