import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix } from '../src/redis-keys.js';
import { pingRedis } from '../src/redis-ping.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const reachable = await pingRedis(REDIS_URL);
if (!reachable && process.env.CI === 'true')
  throw new Error(`no Redis answers on ${REDIS_URL} (CI needs one)`);
const PREFIX = `load-test-cleanup-${process.pid}-${Date.now()}`;

describe.skipIf(!reachable)('deleteKeysWithPrefix (real Redis)', () => {
  const client = createClient({ url: REDIS_URL });

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    // Whatever a failed test left: only this test's own keys.
    for await (const keys of client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 1000 }))
      if (keys.length > 0) await client.del(keys);
    client.destroy();
  });

  it('deletes every key of the prefix, across SCAN pages, and nothing else', async () => {
    const mine = Array.from({ length: 2_500 }, (_, i) => `${PREFIX}:run:{client-${i}}:minute`);
    for (let i = 0; i < mine.length; i += 500)
      await client.mSet(mine.slice(i, i + 500).map((key) => [key, '1'] as [string, string]));
    const neighbour = `${PREFIX}x:other-run`;
    const glob = `${PREFIX}:run*`;
    await client.set(neighbour, 'keep');
    await client.set(`${glob}literal`, 'keep');

    expect(await deleteKeysWithPrefix(REDIS_URL, `${PREFIX}:run:`)).toBe(2_500);
    expect(await client.exists(mine.slice(0, 10))).toBe(0);
    expect(await client.get(neighbour)).toBe('keep');
    // A glob character in the prefix is matched literally, so `run*` does not reach `run:...` keys.
    await client.set(`${PREFIX}:run:again`, '1');
    expect(await deleteKeysWithPrefix(REDIS_URL, glob)).toBe(1);
    expect(await client.get(`${PREFIX}:run:again`)).toBe('1');
  });

  it('refuses an empty prefix instead of deleting every key', async () => {
    await expect(deleteKeysWithPrefix(REDIS_URL, '')).rejects.toThrow('prefix must not be empty');
  });
});
