import { createClient } from 'redis';

/**
 * Deletes every key of the Redis at `url` that starts with `prefix` (SCAN + UNLINK, never FLUSH: the Redis may
 * be shared) and resolves with how many were deleted. `prefix` must be non-empty, so this never empties a
 * whole database by mistake.
 */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  if (prefix.length === 0) throw new TypeError('deleteKeysWithPrefix: prefix must not be empty');
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
  client.on('error', () => {
    // reported by the command that fails
  });
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
      if (keys.length > 0) deleted += await client.unlink(keys);
    }
  } finally {
    client.destroy();
  }
  return deleted;
}
