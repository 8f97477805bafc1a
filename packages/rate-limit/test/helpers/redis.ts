import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOW_TO_START = 'start one with: redis-server --daemonize yes --port 6379 --save ""';

/**
 * Whether the Redis at REDIS_URL answers PING. Prints a loud message and returns false when it does not;
 * under CI=true it throws instead, so a missing Redis fails the run rather than skipping silently.
 */
export async function redisAvailable(): Promise<boolean> {
  const client = createClient({
    url: REDIS_URL,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: false },
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    const message = `Redis at ${REDIS_URL} is unreachable (${String(error)}); ${HOW_TO_START}`;
    if (process.env.CI === 'true') throw new Error(`${message} (CI=true: Redis tests must run)`);
    process.stderr.write(`\n!!! SKIPPING Redis tests: ${message}\n\n`);
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** A key prefix no other test (or run) uses. */
export function uniquePrefix(label: string): string {
  return `test:rate-limit:${label}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` from the Redis at `url`. */
export async function deleteKeys(prefix: string, url = REDIS_URL): Promise<void> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}
