import { createHash, randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import type { RedisCommand } from '../redis/redis-connection.js';
import {
  type BeginOutcome,
  IDEMPOTENCY_LOCK_TTL_MS,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './idempotency-store.js';

export interface RedisIdempotencyStoreOptions {
  readonly send: RedisCommand;
  /** Key prefix, e.g. `mock-api:`; records go under `<prefix>idem:<sha256 of the key>`. */
  readonly prefix: string;
  /** @default crypto.randomUUID */
  readonly generateToken?: () => string;
}

// Writes ARGV[1] only while the key is absent or still holds this caller's claim (token ARGV[2]).
const COMPLETE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and not string.find(current, ARGV[2], 1, true) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

// Deletes the key only while it still holds this caller's claim.
const RELEASE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and string.find(current, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0`;

function parseRecord(raw: unknown): IdempotencyRecord | undefined {
  if (typeof raw !== 'string') return undefined;
  return JSON.parse(raw) as IdempotencyRecord;
}

/**
 * Idempotency records in Redis: the claim is one `SET NX PX` (atomic across instances), completion and
 * release check the claim's token in a script.
 */
export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions): IdempotencyStore {
  const { send, prefix } = options;
  const generateToken = options.generateToken ?? randomUUID;
  const keyOf = (key: string): string => `${prefix}idem:${createHash('sha256').update(key).digest('hex')}`;

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError(operation, cause);
    }
  }

  return {
    begin: (key, fingerprint) =>
      run('claiming the idempotency key', async (): Promise<BeginOutcome> => {
        const redisKey = keyOf(key);
        const token = generateToken();
        const claim = JSON.stringify({ state: 'in_flight', fingerprint, token } satisfies IdempotencyRecord);
        // Two rounds: the record may expire between a failed SET NX and the GET.
        for (let attempt = 0; attempt < 2; attempt += 1) {
          const set = await send(['SET', redisKey, claim, 'NX', 'PX', String(IDEMPOTENCY_LOCK_TTL_MS)]);
          if (set === 'OK') return { kind: 'claimed', token };
          const record = parseRecord(await send(['GET', redisKey]));
          if (record !== undefined) return { kind: 'existing', record };
        }
        throw new Error('idempotency record kept changing');
      }),
    complete: (key, token, fingerprint, response) =>
      run('storing the idempotency record', async () => {
        const record = JSON.stringify({
          state: 'completed',
          fingerprint,
          response,
        } satisfies IdempotencyRecord);
        await send(['EVAL', COMPLETE_SCRIPT, '1', keyOf(key), record, token, String(IDEMPOTENCY_TTL_MS)]);
      }),
    release: (key, token) =>
      run('releasing the idempotency key', async () => {
        await send(['EVAL', RELEASE_SCRIPT, '1', keyOf(key), token]);
      }),
  };
}
