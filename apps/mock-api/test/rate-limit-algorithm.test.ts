import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type TestApp } from './helpers/build-app.js';
import { deleteKeys, REDIS_URL, redisAvailable, uniquePrefix } from './helpers/redis.js';

const available = await redisAvailable();
// Windows open at a client's first request: a fixed one starts afresh a minute later, a sliding one still weighs
// the minute before.
const FIRST = Date.parse('2026-01-01T10:00:00Z');
let current: TestApp | undefined;
let prefix = '';

afterEach(async () => {
  await current?.close();
  current = undefined;
  if (prefix !== '') await deleteKeys(prefix);
  prefix = '';
});

/** 10 requests, then 10 more 61 s later (one second into the next window): how many of each pass. */
async function acrossBoundary(env: Record<string, string>): Promise<[number, number]> {
  let now = FIRST;
  current = buildApp(env, { now: () => now });
  if (env.REDIS_URL !== undefined) await current.mockApi.waitForRedis(60_000);
  const { app } = current.mockApi;
  const passed = async (): Promise<number> => {
    let ok = 0;
    for (let i = 0; i < 10; i += 1) {
      if ((await request(app).get('/api/items')).status === 200) ok += 1;
    }
    return ok;
  };
  const before = await passed();
  now = FIRST + 61_000;
  return [before, await passed()];
}

const stores: [string, () => Record<string, string>, boolean][] = [
  ['memory', () => ({}), true],
  [
    'Redis',
    () => {
      prefix = uniquePrefix('algorithm');
      return { REDIS_URL, REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '10000' };
    },
    available,
  ],
];

describe.each(stores)('RATE_LIMIT_ALGORITHM on the %s store', (_name, storeEnv, runs) => {
  it.skipIf(!runs)(
    'fixed (the default) lets a full limit through again right after the boundary',
    async () => {
      expect(await acrossBoundary({ RATE_LIMIT_PER_MINUTE: '10', ...storeEnv() })).toEqual([10, 10]);
    },
  );

  it.skipIf(!runs)(
    'sliding still counts the minute before: no second burst one second into the next window',
    async () => {
      const [before, after] = await acrossBoundary({
        RATE_LIMIT_PER_MINUTE: '10',
        RATE_LIMIT_ALGORITHM: 'sliding',
        ...storeEnv(),
      });
      expect(before).toBe(10);
      // 10 x (59/60) of the previous minute still weigh: room for none of a second burst.
      expect(after).toBe(0);
    },
  );
});
