import { randomUUID } from 'node:crypto';
import {
  IDEMPOTENCY_LOCK_TTL_MS,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './idempotency-store.js';

export interface MemoryIdempotencyStoreOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** Oldest records are dropped beyond this many. @default 100000 */
  readonly maxEntries?: number;
  /** @default crypto.randomUUID */
  readonly generateToken?: () => string;
}

export const MEMORY_IDEMPOTENCY_STORE_DEFAULTS = { maxEntries: 100_000 } as const;

interface Entry {
  record: IdempotencyRecord;
  expiresAt: number;
}

/** Idempotency records in a Map with expiry (from the injected clock). For one instance. */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? MEMORY_IDEMPOTENCY_STORE_DEFAULTS.maxEntries;
  const generateToken = options.generateToken ?? randomUUID;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('createMemoryIdempotencyStore: maxEntries must be a positive integer');
  }
  const entries = new Map<string, Entry>();

  function live(key: string, time: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= time) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function trim(time: number): void {
    // Oldest first: drop expired records at the head, then anything over the cap.
    for (const [key, entry] of entries) {
      if (entry.expiresAt > time && entries.size <= maxEntries) break;
      entries.delete(key);
    }
  }

  return {
    async begin(key, fingerprint) {
      const time = now();
      const existing = live(key, time);
      if (existing !== undefined) return { kind: 'existing', record: existing.record };
      const token = generateToken();
      entries.set(key, {
        record: { state: 'in_flight', fingerprint, token },
        expiresAt: time + IDEMPOTENCY_LOCK_TTL_MS,
      });
      trim(time);
      return { kind: 'claimed', token };
    },
    async complete(key, token, fingerprint, response) {
      const time = now();
      const entry = live(key, time);
      if (entry !== undefined && !(entry.record.state === 'in_flight' && entry.record.token === token))
        return;
      entries.delete(key);
      entries.set(key, {
        record: { state: 'completed', fingerprint, response },
        expiresAt: time + IDEMPOTENCY_TTL_MS,
      });
    },
    async release(key, token) {
      const entry = entries.get(key);
      if (entry?.record.state === 'in_flight' && entry.record.token === token) entries.delete(key);
    },
  };
}
