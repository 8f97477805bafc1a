import {
  createPrivateRedis,
  type PrivateRedis,
  redisServerAvailable,
} from '@resilience/test-support/redis-server';
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createMemoryStore,
  createRedisMultiWindowStore,
  type RedisSendCommand,
  type WindowLimit,
} from '../src/index.js';
import { limitedApp } from './helpers/app.js';
import { deleteKeys, REDIS_URL, redisAvailable, uniquePrefix } from './helpers/redis.js';
import { generateTrace } from './helpers/trace.js';

// Real Redis processes: generous bounds; nothing here measures time (the counting clock is a parameter).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const sharedAvailable = await redisAvailable();
const privateAvailable = redisServerAvailable();

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T10:00:00Z');
const WINDOWS: WindowLimit[] = [
  { name: 'minute', windowMs: MINUTE, limit: 2, algorithm: 'fixed' },
  { name: 'hour', windowMs: HOUR, limit: 10, algorithm: 'fixed' },
];

async function connect(url: string) {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

type Client = Awaited<ReturnType<typeof connect>>;

/** A `sendCommand` that records the command names it sends. */
function recording(client: Client): { send: RedisSendCommand; commands: string[] } {
  const commands: string[] = [];
  return {
    commands,
    send: (...args: string[]) => {
      commands.push(args[0] ?? '');
      return client.sendCommand(args);
    },
  };
}

describe.skipIf(!sharedAvailable)('createRedisMultiWindowStore on the shared Redis', () => {
  let client: Client;
  let prefix = '';

  beforeAll(async () => {
    client = await connect(REDIS_URL);
  });
  afterEach(async () => {
    if (prefix !== '') await deleteKeys(prefix);
    prefix = '';
  });
  afterAll(() => {
    client.destroy();
  });

  function store(): ReturnType<typeof createRedisMultiWindowStore> & { commands: string[] } {
    prefix = uniquePrefix('multi');
    const { send, commands } = recording(client);
    return Object.assign(createRedisMultiWindowStore({ sendCommand: send, prefix }), { commands });
  }

  it('counts every window or none: a refused request spends no quota', async () => {
    const redis = store();
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await redis.consume('ip:192.0.2.1', WINDOWS, T0 + i));
    expect(results.map((result) => result.refusedBy)).toEqual([-1, -1, 0, 0, 0]);
    expect(results[1]?.counts).toEqual([
      { start: T0, current: 2, previous: 0 },
      { start: T0, current: 2, previous: 0 },
    ]);
    const [minuteKey, hourKey] = redis.keysOf('ip:192.0.2.1', WINDOWS);
    expect(await client.hGetAll(hourKey ?? '')).toEqual({ s: String(T0), c: '2', p: '0' });
    expect(await client.hGetAll(minuteKey ?? '')).toEqual({ s: String(T0), c: '2', p: '0' });
    // A window that opens again counts from zero.
    const later = await redis.consume('ip:192.0.2.1', WINDOWS, T0 + MINUTE);
    expect(later.refusedBy).toBe(-1);
    expect(later.counts).toEqual([
      { start: T0 + MINUTE, current: 1, previous: 0 },
      { start: T0, current: 3, previous: 0 },
    ]);
  });

  it('puts the keys of one client under one hash tag, and escapes braces in client keys', async () => {
    const redis = store();
    await redis.consume('ip:2001:db8::/56', WINDOWS, T0);
    const keys = (await client.keys(`${prefix}*`)).sort();
    expect(keys).toEqual([`${prefix}{ip:2001:db8::/56}:hour`, `${prefix}{ip:2001:db8::/56}:minute`]);
    expect(redis.keysOf('a}b{c%', WINDOWS)).toEqual([
      `${prefix}{a%7Db%7Bc%25}:minute`,
      `${prefix}{a%7Db%7Bc%25}:hour`,
    ]);
  });

  it('sends one command per request once the script is cached', async () => {
    const redis = store();
    await redis.consume('ip:192.0.2.2', WINDOWS, T0);
    redis.commands.length = 0;
    for (let i = 0; i < 5; i += 1) await redis.consume('ip:192.0.2.2', WINDOWS, T0 + i);
    expect(redis.commands).toEqual(Array(5).fill('EVALSHA'));
  });

  it('sets each window to expire when it ends (sliding: one window later)', async () => {
    const redis = store();
    const windows: WindowLimit[] = [
      { name: 'fixed', windowMs: MINUTE, limit: 5, algorithm: 'fixed' },
      { name: 'sliding', windowMs: MINUTE, limit: 5, algorithm: 'sliding' },
    ];
    await redis.consume('ip:192.0.2.3', windows, T0);
    await redis.consume('ip:192.0.2.3', windows, T0 + 10_000);
    const [fixedKey, slidingKey] = redis.keysOf('ip:192.0.2.3', windows);
    const fixedTtl = await client.pTTL(fixedKey ?? '');
    const slidingTtl = await client.pTTL(slidingKey ?? '');
    // Relative to the caller's clock: 60 s - 10 s, and 120 s - 10 s (less whatever the round trip took).
    expect(fixedTtl).toBeGreaterThan(40_000);
    expect(fixedTtl).toBeLessThanOrEqual(50_000);
    expect(slidingTtl).toBeGreaterThan(100_000);
    expect(slidingTtl).toBeLessThanOrEqual(110_000);
  });

  it('counts concurrent requests of one client atomically', async () => {
    const redis = store();
    const windows: WindowLimit[] = [{ name: 'minute', windowMs: MINUTE, limit: 10, algorithm: 'sliding' }];
    const results = await Promise.all(
      Array.from({ length: 25 }, () => redis.consume('ip:192.0.2.4', windows, T0)),
    );
    expect(results.filter((result) => result.refusedBy === -1)).toHaveLength(10);
    const [key] = redis.keysOf('ip:192.0.2.4', windows);
    expect(await client.hGet(key ?? '', 'c')).toBe('10');
  });

  it('forgets a client in every window with resetKey', async () => {
    const redis = store();
    await redis.consume('ip:192.0.2.5', WINDOWS, T0);
    await redis.resetKey('ip:192.0.2.5');
    expect(await client.keys(`${prefix}*`)).toEqual([]);
  });

  it('limits an Express app through createRateLimit with one round trip per request', async () => {
    const redis = store();
    let now = T0;
    const { app, limiter } = limitedApp({
      windows: [
        { name: 'minute', windowMs: MINUTE, limit: 3, policy: 'per-minute' },
        { name: 'hour', windowMs: HOUR, limit: 100, policy: 'per-hour' },
      ],
      store: redis,
      now: () => now,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await request(app).get('/')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      now += 30_000;
      const refused = await request(app).get('/');
      expect(refused.headers['retry-after']).toBe('30');
      expect(refused.headers.ratelimit).toBe('"per-minute"; r=0; t=30, "per-hour"; r=97; t=3570');
      expect(redis.commands.filter((command) => command !== 'EVAL')).toHaveLength(6);
    } finally {
      await limiter.close();
    }
  });

  it('decides exactly like the memory store on a generated trace, sliding and fixed windows together', async () => {
    const redis = store();
    const memory = createMemoryStore({ sweepIntervalMs: 0 });
    const windows: WindowLimit[] = [
      { name: 'minute', windowMs: MINUTE, limit: 10, algorithm: 'sliding' },
      { name: 'ten-minutes', windowMs: 10 * MINUTE, limit: 40, algorithm: 'fixed' },
    ];
    const trace = generateTrace({
      seed: 7,
      clients: 10,
      requests: 1500,
      windowMs: MINUTE,
      limit: 10,
      bursty: true,
    });
    const differences: string[] = [];
    let refused = 0;
    for (const { client, at } of trace) {
      const [fromRedis, fromMemory] = await Promise.all([
        redis.consume(client, windows, T0 + at),
        memory.consume(client, windows, T0 + at),
      ]);
      if (fromRedis.refusedBy !== -1) refused += 1;
      if (JSON.stringify(fromRedis) !== JSON.stringify(fromMemory)) {
        differences.push(`${client}@${at}: ${JSON.stringify(fromRedis)} vs ${JSON.stringify(fromMemory)}`);
      }
    }
    memory.shutdown();
    expect(differences.slice(0, 3)).toEqual([]);
    // The trace presses on both windows: a comparison of all-pass runs would prove little.
    expect(refused).toBeGreaterThan(300);
  });

  it('refuses options it cannot use', () => {
    expect(() => createRedisMultiWindowStore({} as never)).toThrow(
      'createRedisMultiWindowStore: sendCommand must be a function',
    );
    expect(() => createRedisMultiWindowStore({ sendCommand: async () => null, prefix: 'a{b' })).toThrow(
      'createRedisMultiWindowStore: prefix must be a string of at most 128 characters without { or }',
    );
  });
});

describe.skipIf(!privateAvailable)('createRedisMultiWindowStore on a private redis-server', () => {
  let redis: PrivateRedis | undefined;
  let client: Client | undefined;

  afterEach(async () => {
    client?.destroy();
    client = undefined;
    await redis?.kill();
    redis = undefined;
  });

  async function start(): Promise<{ send: RedisSendCommand; commands: string[]; admin: Client }> {
    redis = await createPrivateRedis();
    await redis.start();
    client = createClient({
      url: redis.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries) => Math.min(20 * retries, 200) },
    });
    client.on('error', () => {});
    await client.connect();
    return { ...recording(client), admin: client };
  }

  it('survives SCRIPT FLUSH: NOSCRIPT is answered with EVAL, and the counts are kept', async () => {
    const { send, commands, admin } = await start();
    const store = createRedisMultiWindowStore({ sendCommand: send, prefix: 'rl:' });
    await store.consume('ip:192.0.2.9', WINDOWS, T0);
    expect(commands).toEqual(['EVALSHA', 'EVAL']);
    await admin.sendCommand(['SCRIPT', 'FLUSH']);
    commands.length = 0;
    const after = await store.consume('ip:192.0.2.9', WINDOWS, T0 + 1);
    expect(commands).toEqual(['EVALSHA', 'EVAL']);
    expect(after.counts[0]?.current).toBe(2);
    commands.length = 0;
    await store.consume('ip:192.0.2.9', WINDOWS, T0 + 2);
    expect(commands).toEqual(['EVALSHA']);
  });

  it('survives a restart (an empty Redis without the script) and fails while Redis is down', async () => {
    const { send, commands } = await start();
    const store = createRedisMultiWindowStore({ sendCommand: send });
    await store.consume('ip:192.0.2.9', WINDOWS, T0);
    await redis?.kill();
    await expect(store.consume('ip:192.0.2.9', WINDOWS, T0 + 1)).rejects.toThrow();
    await redis?.start();
    await vi.waitFor(() => expect(client?.isReady).toBe(true), { timeout: 60_000, interval: 20 });
    commands.length = 0;
    const fresh = await store.consume('ip:192.0.2.9', WINDOWS, T0 + 2);
    expect(commands).toEqual(['EVALSHA', 'EVAL']);
    expect(fresh.refusedBy).toBe(-1);
    expect(fresh.counts[0]).toEqual({ start: T0 + 2, current: 1, previous: 0 });
  });

  it('lets createRateLimit fail open into its insurance limiter while Redis is down', async () => {
    const { send } = await start();
    const failures: string[] = [];
    const { app, limiter } = limitedApp({
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 2 }],
      store: createRedisMultiWindowStore({ sendCommand: send }),
      now: () => T0,
      hooks: { onStoreError: ({ error }) => failures.push(error.code) },
    });
    await redis?.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request(app).get('/')).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(failures).toEqual(['ERR_RATE_LIMIT_STORE', 'ERR_RATE_LIMIT_STORE', 'ERR_RATE_LIMIT_STORE']);
    await limiter.close();
  });
});

describe.skipIf(!sharedAvailable)('createRateLimit with rate-limit-redis stores, one per window', () => {
  it('counts each window in its own RedisStore, in order', async () => {
    const client = await connect(REDIS_URL);
    const prefix = uniquePrefix('per-window');
    const sendCommand = (...args: string[]) => client.sendCommand(args) as Promise<never>;
    const { app, limiter } = limitedApp({
      windows: [
        { name: 'minute', windowMs: MINUTE, limit: 2 },
        { name: 'hour', windowMs: HOUR, limit: 5 },
      ],
      stores: {
        minute: new RedisStore({ sendCommand, prefix: `${prefix}minute:` }),
        hour: new RedisStore({ sendCommand, prefix: `${prefix}hour:` }),
      },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await request(app).get('/')).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
      // Refused by the minute window, the requests never reached the hour's store.
      expect(await client.get(`${prefix}hour:ip:127.0.0.1`)).toBe('2');
    } finally {
      await limiter.close();
      await deleteKeys(prefix);
      client.destroy();
    }
  });
});
