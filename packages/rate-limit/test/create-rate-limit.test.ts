import { MemoryStore, type Store } from 'express-rate-limit';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryStore,
  isPermissiveTrustProxyError,
  isRateLimitStoreError,
  type MultiWindowStore,
  type RateLimitMiddleware,
  type RateLimitOptions,
  type RejectEvent,
  type StoreErrorEvent,
} from '../src/index.js';
import { type LimitedApp, limitedApp, manualClock } from './helpers/app.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const limiters: RateLimitMiddleware[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});

function build(options: RateLimitOptions, configure?: Parameters<typeof limitedApp>[1]): LimitedApp {
  const built = limitedApp(options, configure);
  limiters.push(built.limiter);
  return built;
}

async function statuses(app: LimitedApp['app'], count: number, headers: Record<string, string> = {}) {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push((await request(app).get('/').set(headers)).status);
  return result;
}

const THREE_WINDOWS = [
  { name: 'second', windowMs: SECOND, limit: 2 },
  { name: 'minute', windowMs: MINUTE, limit: 5 },
  { name: 'hour', windowMs: HOUR, limit: 20 },
] as const;

/** A per-window store whose backend is down until the test says otherwise. */
function switchableStore(): Store & { down: boolean; shutdownCalls: number } {
  const inner = new MemoryStore();
  const store = {
    down: true,
    shutdownCalls: 0,
    localKeys: false,
    init: (options: Parameters<MemoryStore['init']>[0]) => inner.init(options),
    async increment(key: string) {
      if (store.down) throw new Error('offline');
      return inner.increment(key);
    },
    async get(key: string) {
      if (store.down) throw new Error('offline');
      return inner.get(key);
    },
    decrement: (key: string) => inner.decrement(key),
    resetKey: (key: string) => inner.resetKey(key),
    shutdown: () => {
      store.shutdownCalls += 1;
      inner.shutdown();
    },
  };
  return store;
}

/** A multi-window store that fails while `down`, counting in a memory store otherwise. */
function switchableMultiStore(): MultiWindowStore & { down: boolean } {
  const inner = createMemoryStore({ sweepIntervalMs: 0 });
  const store = {
    down: true,
    consume: (key: string, windows: Parameters<MultiWindowStore['consume']>[1], now: number) =>
      store.down ? Promise.reject(new Error('offline')) : inner.consume(key, windows, now),
    shutdown: () => inner.shutdown(),
  };
  return store;
}

describe('createRateLimit with the default memory store', () => {
  it('limits every window at once and answers the first refusing one with 429 JSON and headers for all', async () => {
    const clock = manualClock();
    const { app } = build({ windows: THREE_WINDOWS, now: clock.now });
    expect(await statuses(app, 2)).toEqual([200, 200]);
    const refused = await request(app).get('/');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(refused.body).toEqual({
      error: 'rate_limited',
      message: 'Rate limit exceeded: at most 2 requests per second.',
      requestId: 'req-1',
      retryAfterSeconds: 1,
      window: 'second',
    });
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers.ratelimit).toBe('"second"; r=0; t=1, "minute"; r=3; t=60, "hour"; r=18; t=3600');
    expect(refused.headers['ratelimit-policy']).toMatch(
      /^"second"; q=2; w=1; pk=:[^:]+:, "minute"; q=5; w=60; pk=:[^:]+:, "hour"; q=20; w=3600; pk=:[^:]+:$/,
    );

    clock.advance(SECOND);
    expect(await statuses(app, 2)).toEqual([200, 200]);
    clock.advance(SECOND);
    const minuteFull = await request(app).get('/');
    expect(minuteFull.status).toBe(200);
    const byMinute = await request(app).get('/');
    expect(byMinute.status).toBe(429);
    expect(byMinute.body.window).toBe('minute');
    // The minute window opened at 10:00:00 and it is 10:00:02 now.
    expect(byMinute.headers['retry-after']).toBe('58');
  });

  it('spends no quota in any window on a refused request', async () => {
    const clock = manualClock();
    const { app } = build({ windows: THREE_WINDOWS, now: clock.now });
    // 2 pass, 8 refused by the second window: the minute and hour windows count 2, not 10.
    expect(await statuses(app, 10)).toEqual([200, 200, ...Array(8).fill(429)]);
    clock.advance(SECOND);
    const next = await request(app).get('/');
    expect(next.status).toBe(200);
    expect(next.headers.ratelimit).toBe('"second"; r=1; t=1, "minute"; r=2; t=59, "hour"; r=17; t=3599');
  });

  it('gives Retry-After as the wait until every full window has room again', async () => {
    const clock = manualClock();
    const { app } = build({
      windows: [
        { name: 'second', windowMs: SECOND, limit: 1 },
        { name: 'minute', windowMs: MINUTE, limit: 1 },
      ],
      now: clock.now,
    });
    expect(await statuses(app, 1)).toEqual([200]);
    const refused = await request(app).get('/');
    expect(refused.body.window).toBe('second');
    expect(refused.headers['retry-after']).toBe('60');
  });

  it('with a sliding window, weighs the previous minute and says when a request fits again', async () => {
    const clock = manualClock();
    const { app } = build({
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 4, algorithm: 'sliding' }],
      now: clock.now,
    });
    expect(await statuses(app, 5)).toEqual([200, 200, 200, 200, 429]);
    // A quarter into the next minute, the previous one still weighs 3/4 x 4 = 3: one more fits, then none:
    // 4 x (1 - f) + 1 <= 3 once f >= 1/2, at 30 s into the minute, 15 s from now.
    clock.advance(MINUTE + MINUTE / 4);
    const one = await request(app).get('/');
    expect(one.status).toBe(200);
    expect(one.headers.ratelimit).toBe('"minute"; r=0; t=15');
    const refused = await request(app).get('/');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('15');
    expect(refused.body.retryAfterSeconds).toBe(15);
    clock.advance(15 * SECOND - 1);
    expect(await statuses(app, 1)).toEqual([429]);
    clock.advance(1);
    expect(await statuses(app, 1)).toEqual([200]);
  });

  it('takes limits from an API key tier, then from limitFor', async () => {
    const { app } = build({
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 2 }],
      identify: { apiKeys: { 'tier-key-0001': { minute: 4 } } },
      limitFor: (client) => (client.kind === 'ip' && client.key === 'ip:10.0.0.1' ? 0 : undefined),
      now: () => 0,
    });
    expect(await statuses(app, 5, { 'X-API-Key': 'tier-key-0001' })).toEqual([200, 200, 200, 200, 429]);
    // The address keeps its own budget apart from the key's.
    expect(await statuses(app, 3)).toEqual([200, 200, 429]);
  });

  it('keeps each API key tier and the default limits apart without limitFor', async () => {
    const { app } = build({
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 2 }],
      identify: { apiKeys: { 'tier-key-0001': { minute: 4 }, 'tier-key-0002': { minute: 1 } } },
      now: () => 0,
    });
    expect(await statuses(app, 3)).toEqual([200, 200, 429]);
    expect(await statuses(app, 5, { 'X-API-Key': 'tier-key-0001' })).toEqual([200, 200, 200, 200, 429]);
    expect(await statuses(app, 2, { 'X-API-Key': 'tier-key-0002' })).toEqual([200, 429]);
  });

  it('applies limitFor to each client and window', async () => {
    const seen: string[] = [];
    const { app } = build(
      {
        windows: [{ name: 'minute', windowMs: MINUTE, limit: 5 }],
        limitFor: (client, window) => {
          seen.push(`${client.key}/${window.name}`);
          return client.key === 'ip:203.0.113.9' ? 1 : undefined;
        },
        now: () => 0,
      },
      (app) => app.set('trust proxy', 'loopback'),
    );
    expect(await statuses(app, 2, { 'X-Forwarded-For': '203.0.113.9' })).toEqual([200, 429]);
    expect(await statuses(app, 2, { 'X-Forwarded-For': '203.0.113.10' })).toEqual([200, 200]);
    expect(seen).toContain('ip:203.0.113.9/minute');
  });

  it('answers 401 to an unknown API key after counting it against the address, or ignores it when told', async () => {
    const windows = [{ name: 'minute', windowMs: MINUTE, limit: 2 }];
    const rejecting = build({ windows, identify: { apiKeys: { 'known-key-001': {} } }, now: () => 0 });
    const unknown = await request(rejecting.app).get('/').set('X-API-Key', 'guessed-key-01');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({
      error: 'invalid_api_key',
      message: 'The X-API-Key header does not name a known API key.',
      requestId: 'req-1',
    });
    expect(unknown.headers.ratelimit).toBe('"minute"; r=1; t=60');
    expect(await statuses(rejecting.app, 2, { 'X-API-Key': 'guessed-key-02' })).toEqual([401, 429]);

    const ignoring = build({ windows, identify: { unknownApiKey: 'ignore' }, now: () => 0 });
    expect(await statuses(ignoring.app, 3, { 'X-API-Key': 'guessed-key-01' })).toEqual([200, 200, 429]);
  });

  it('never counts allowlisted addresses, and still answers 401 to their unknown keys', async () => {
    const { app } = build({
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 1 }],
      identify: { allowlist: ['127.0.0.0/8', '::1'], apiKeys: { 'known-key-001': { minute: 1 } } },
    });
    expect(await statuses(app, 5)).toEqual(Array(5).fill(200));
    expect((await request(app).get('/')).headers.ratelimit).toBeUndefined();
    expect(await statuses(app, 3, { 'X-API-Key': 'known-key-001' })).toEqual([200, 200, 200]);
    expect(await statuses(app, 2, { 'X-API-Key': 'nobody-issued' })).toEqual([401, 401]);
  });

  it('groups IPv6 clients by /56 (or the prefix it is given)', async () => {
    const windows = [{ name: 'minute', windowMs: MINUTE, limit: 1 }];
    const trust = (app: LimitedApp['app']) => app.set('trust proxy', 'loopback');
    const by56 = build({ windows, now: () => 0 }, trust);
    expect(await statuses(by56.app, 1, { 'X-Forwarded-For': '2001:db8:0:1200::1' })).toEqual([200]);
    expect(await statuses(by56.app, 1, { 'X-Forwarded-For': '2001:db8:0:12ff::9' })).toEqual([429]);
    expect(await statuses(by56.app, 1, { 'X-Forwarded-For': '2001:db8:0:1300::1' })).toEqual([200]);

    const by128 = build({ windows, identify: { ipv6Subnet: 128 }, now: () => 0 }, trust);
    expect(await statuses(by128.app, 1, { 'X-Forwarded-For': '2001:db8:0:1200::1' })).toEqual([200]);
    expect(await statuses(by128.app, 1, { 'X-Forwarded-For': '2001:db8:0:1200::2' })).toEqual([200]);
  });

  it("refuses to run behind 'trust proxy' = true unless told to accept it", async () => {
    const windows = [{ name: 'minute', windowMs: MINUTE, limit: 1 }];
    const strict = build({ windows }, (app) => app.set('trust proxy', true));
    expect((await request(strict.app).get('/').set('X-Forwarded-For', '198.51.100.1')).status).toBe(503);
    expect(isPermissiveTrustProxyError(strict.errors[0])).toBe(true);
    expect(strict.errors[0]).toMatchObject({ code: 'ERR_RATE_LIMIT_TRUST_PROXY' });

    const accepting = build({ windows, identify: { allowPermissiveTrustProxy: true } }, (app) =>
      app.set('trust proxy', true),
    );
    expect(await statuses(accepting.app, 1, { 'X-Forwarded-For': '198.51.100.1' })).toEqual([200]);
    expect(await statuses(accepting.app, 1, { 'X-Forwarded-For': '198.51.100.2' })).toEqual([200]);
  });

  it('ignores hooks that throw', async () => {
    const { app } = build({
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 1 }],
      hooks: {
        onReject: () => {
          throw new Error('metrics are down');
        },
      },
    });
    expect(await statuses(app, 2)).toEqual([200, 429]);
  });

  it('does not mutate the options it is given', () => {
    const options = {
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 1 }],
      identify: { allowlist: ['10.0.0.0/8'] },
    };
    const copy = structuredClone(options);
    limiters.push(build(options).limiter);
    expect(options).toEqual(copy);
  });
});

describe('createRateLimit with one express-rate-limit store per window', () => {
  it('counts the windows in order and stops at the first that refuses: later windows are not spent', async () => {
    const clock = manualClock();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock.now());
    try {
      const { app } = build({
        windows: [
          { name: 'minute', windowMs: MINUTE, limit: 2, policy: 'per-minute' },
          { name: 'hour', windowMs: HOUR, limit: 10, policy: 'per-hour' },
        ],
        stores: { minute: new MemoryStore(), hour: new MemoryStore() },
        now: clock.now,
      });
      expect(await statuses(app, 6)).toEqual([200, 200, 429, 429, 429, 429]);
      const refused = await request(app).get('/');
      // The hour counted the 2 that passed, not 7.
      expect(refused.headers.ratelimit).toBe('"per-minute"; r=0; t=60, "per-hour"; r=8; t=3600');
      expect(refused.headers['retry-after']).toBe('60');
    } finally {
      vi.useRealTimers();
    }
  });

  it('under open, counts in the insurance limiter while the store fails, reporting each failure per window', async () => {
    const minute = switchableStore();
    const hour = switchableStore();
    const storeErrors: StoreErrorEvent[] = [];
    const insured: string[] = [];
    const rejected: RejectEvent[] = [];
    const { app, limiter } = build({
      windows: [
        { name: 'minute', windowMs: MINUTE, limit: 3 },
        { name: 'hour', windowMs: HOUR, limit: 100 },
      ],
      stores: { minute, hour },
      hooks: {
        onStoreError: (event) => storeErrors.push(event),
        onInsurance: (event) => insured.push(event.window.name),
        onReject: (event) => rejected.push(event),
      },
    });
    expect(await statuses(app, 4)).toEqual([200, 200, 200, 429]);
    // 4 minute failures; the hour is reached 3 times, then peeked once (also failing) for the refusal's headers.
    expect(storeErrors.map((event) => event.window.name)).toEqual([
      'minute',
      'hour',
      'minute',
      'hour',
      'minute',
      'hour',
      'minute',
      'hour',
    ]);
    expect(storeErrors[0]?.policy).toBe('open');
    expect(isRateLimitStoreError(storeErrors[0]?.error)).toBe(true);
    expect(storeErrors[0]?.error.message).toBe('rate-limit store for the minute window failed: offline');
    expect(insured).toEqual(['minute', 'hour', 'minute', 'hour', 'minute', 'hour', 'minute']);
    expect(rejected.map((event) => [event.window.name, event.limit])).toEqual([['minute', 3]]);

    minute.down = false;
    hour.down = false;
    expect(await statuses(app, 4)).toEqual([200, 200, 200, 429]);
    await limiter.close();
    expect([minute.shutdownCalls, hour.shutdownCalls]).toEqual([1, 1]);
  });

  it('under closed, passes a RateLimitStoreError to next()', async () => {
    const minute = switchableStore();
    const { app, errors } = build({
      windows: [
        { name: 'minute', windowMs: MINUTE, limit: 3 },
        { name: 'hour', windowMs: HOUR, limit: 100 },
      ],
      stores: { minute, hour: new MemoryStore() },
      onStoreError: 'closed',
    });
    expect(await statuses(app, 1)).toEqual([503]);
    expect(errors[0]).toMatchObject({
      name: 'RateLimitStoreError',
      code: 'ERR_RATE_LIMIT_STORE',
      window: 'minute',
    });
    minute.down = false;
    expect(await statuses(app, 1)).toEqual([200]);
  });

  it('defers init until the backend is ready and runs it on reinitializeStores()', async () => {
    let ready = false;
    const init = vi.fn();
    const store: Store = { ...switchableStore(), init, localKeys: false };
    const { limiter } = build({
      windows: [{ name: 'minute', windowMs: MINUTE, limit: 3 }],
      stores: { minute: store },
      storesReady: () => ready,
    });
    expect(init).not.toHaveBeenCalled();
    ready = true;
    limiter.reinitializeStores();
    expect(init).toHaveBeenCalledWith(expect.objectContaining({ windowMs: MINUTE }));
  });
});

describe('createRateLimit with a multi-window store that fails', () => {
  const windows = [
    { name: 'minute', windowMs: MINUTE, limit: 2 },
    { name: 'hour', windowMs: HOUR, limit: 100 },
  ];

  it('under open, limits in process with the same limits and reports the failure for every window', async () => {
    const store = switchableMultiStore();
    const storeErrors: string[] = [];
    const insured: string[] = [];
    const { app } = build({
      windows,
      store,
      now: () => 0,
      hooks: {
        onStoreError: ({ window, error }) => storeErrors.push(`${window.name}:${error.message}`),
        onInsurance: ({ window }) => insured.push(window.name),
      },
    });
    expect(await statuses(app, 3)).toEqual([200, 200, 429]);
    expect(storeErrors).toHaveLength(6);
    expect(storeErrors[0]).toBe('minute:rate-limit store for the minute, hour windows failed: offline');
    expect(storeErrors[1]?.startsWith('hour:')).toBe(true);
    expect(insured).toEqual(['minute', 'hour', 'minute', 'hour', 'minute', 'hour']);
    store.down = false;
    expect(await statuses(app, 3)).toEqual([200, 200, 429]);
  });

  it('under closed, passes the RateLimitStoreError to next()', async () => {
    const store = switchableMultiStore();
    const { app, errors } = build({ windows, store, onStoreError: 'closed' });
    expect(await statuses(app, 1)).toEqual([503]);
    expect(isRateLimitStoreError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ windows: ['minute', 'hour'] });
  });

  it('resets one client in every window with resetKey()', async () => {
    const { app, limiter } = build({ windows, now: () => 0 });
    expect(await statuses(app, 3)).toEqual([200, 200, 429]);
    // supertest connects from 127.0.0.1 (IPv4-mapped on a dual-stack socket, unmapped in the key).
    await limiter.resetKey('ip:127.0.0.1');
    expect(await statuses(app, 1)).toEqual([200]);
  });
});
