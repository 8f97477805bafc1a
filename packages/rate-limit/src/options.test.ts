import { MemoryStore } from 'express-rate-limit';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { DEFAULT_RATE_LIMIT_OPTIONS, type RateLimitOptions, resolveOptions } from './options.js';

const MINUTE = { name: 'minute', windowMs: 60_000, limit: 10 };

function problem(options: unknown): string {
  try {
    resolveOptions(options as RateLimitOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('resolveOptions accepted the options');
}

describe('resolveOptions', () => {
  it('fills in every default', () => {
    const resolved = resolveOptions({ windows: [MINUTE] });
    expect(resolved.windows).toEqual([{ ...MINUTE, algorithm: 'fixed', policy: 'minute', index: 0 }]);
    expect(resolved.onStoreError).toBe(DEFAULT_RATE_LIMIT_OPTIONS.onStoreError);
    expect(resolved.identify).toEqual({
      apiKeys: new Map(),
      apiKeyHeader: 'x-api-key',
      unknownApiKey: 'reject',
      allowlist: [],
      ipv6Subnet: 56,
      allowPermissiveTrustProxy: false,
    });
    expect(resolved.stores).toBeUndefined();
    expect(resolved.now).toBe(Date.now);
    expect(resolved.storesReady()).toBe(true);
    expect(resolved.requestId({ id: 'abc' } as never)).toBe('abc');
    expect(resolved.requestId({ id: 7 } as never)).toBe('7');
    expect(resolved.requestId({} as never)).toBeUndefined();
  });

  it('accepts the boundary values', () => {
    const resolved = resolveOptions({
      windows: [
        { name: 'a', windowMs: 1, limit: 0 },
        { name: 'b'.repeat(64), windowMs: 2 ** 31 - 1, limit: 1_000_000_000, algorithm: 'sliding' },
      ],
      identify: { ipv6Subnet: 128, apiKeys: new Map([['k', { a: 0 }]]) },
    });
    expect(resolved.windows.map((window) => window.windowMs)).toEqual([1, 2 ** 31 - 1]);
    expect(resolved.identify.apiKeys.get('k')).toEqual({ a: 0 });
    const sixteen = Array.from({ length: 16 }, (_, i) => ({ name: `w${i}`, windowMs: 1000, limit: 1 }));
    expect(resolveOptions({ windows: sixteen }).windows).toHaveLength(16);
    expect(resolveOptions({ windows: [MINUTE], identify: { ipv6Subnet: false } }).identify.ipv6Subnet).toBe(
      false,
    );
    expect(resolveOptions({ windows: [MINUTE], identify: { ipv6Subnet: 1 } }).identify.ipv6Subnet).toBe(1);
  });

  it.each([
    [undefined, 'createRateLimit: options must be an object'],
    [{}, 'createRateLimit: windows must be a non-empty array'],
    [{ windows: [] }, 'createRateLimit: windows must be a non-empty array'],
    [{ windows: Array(17).fill(MINUTE) }, 'createRateLimit: windows may hold at most 16 windows, got 17'],
    [{ windows: [null] }, 'createRateLimit: windows[0] must be an object'],
    [{ windows: [{ ...MINUTE, name: 'a b' }] }, 'createRateLimit: windows[0].name must be 1-64 characters'],
    [{ windows: [{ ...MINUTE, name: 'x'.repeat(65) }] }, 'windows[0].name must be'],
    [{ windows: [MINUTE, MINUTE] }, 'createRateLimit: windows[1].name "minute" is used by another window'],
    [
      { windows: [{ ...MINUTE, windowMs: 0 }] },
      'windows[0].windowMs must be an integer from 1 to 2147483647, got 0',
    ],
    [{ windows: [{ ...MINUTE, windowMs: 2 ** 31 }] }, 'windows[0].windowMs must be an integer'],
    [{ windows: [{ ...MINUTE, windowMs: 1.5 }] }, 'windows[0].windowMs must be an integer'],
    [
      { windows: [{ ...MINUTE, limit: -1 }] },
      'windows[0].limit must be an integer from 0 to 1000000000, got -1',
    ],
    [{ windows: [{ ...MINUTE, limit: 1_000_000_001 }] }, 'windows[0].limit must be an integer'],
    [{ windows: [{ ...MINUTE, limit: '5' }] }, 'windows[0].limit must be an integer'],
    [{ windows: [{ ...MINUTE, algorithm: 'leaky' }] }, `windows[0].algorithm must be 'fixed' or 'sliding'`],
    [{ windows: [{ ...MINUTE, policy: 'per minute' }] }, 'windows[0].policy must be 1-64 characters'],
    [{ windows: [MINUTE], onStoreError: 'ignore' }, `onStoreError must be 'open' or 'closed', got "ignore"`],
    [{ windows: [MINUTE], identify: 'ip' }, 'createRateLimit: identify must be an object'],
    [
      { windows: [MINUTE], identify: { apiKeyHeader: 'X-Key' } },
      'identify.apiKeyHeader must be a lower-case',
    ],
    [
      { windows: [MINUTE], identify: { unknownApiKey: 'allow' } },
      `identify.unknownApiKey must be 'reject' or 'ignore'`,
    ],
    [{ windows: [MINUTE], identify: { allowlist: '10.0.0.0/8' } }, 'identify.allowlist must be an array'],
    [
      { windows: [MINUTE], identify: { allowlist: ['10.0.0.0/33'] } },
      'identify.allowlist[0] "10.0.0.0/33" has a prefix',
    ],
    [{ windows: [MINUTE], identify: { allowlist: [7] } }, 'identify.allowlist[0] is not a string'],
    [
      { windows: [MINUTE], identify: { ipv6Subnet: 0 } },
      'identify.ipv6Subnet must be an integer from 1 to 128 or false',
    ],
    [{ windows: [MINUTE], identify: { ipv6Subnet: 129 } }, 'identify.ipv6Subnet must be'],
    [
      { windows: [MINUTE], identify: { allowPermissiveTrustProxy: 'yes' } },
      'identify.allowPermissiveTrustProxy must be a boolean',
    ],
    [{ windows: [MINUTE], identify: { apiKeys: ['k'] } }, 'identify.apiKeys must be a Map or a plain object'],
    [
      { windows: [MINUTE], identify: { apiKeys: { '': {} } } },
      'identify.apiKeys keys must be non-empty strings',
    ],
    [
      { windows: [MINUTE], identify: { apiKeys: { secret: 5 } } },
      'identify.apiKeys["secr…"] must be an object',
    ],
    [
      { windows: [MINUTE], identify: { apiKeys: { secret: { hour: 5 } } } },
      'identify.apiKeys["secr…"].hour names no window',
    ],
    [{ windows: [MINUTE], identify: { apiKeys: { secret: { minute: -2 } } } }, '.minute must be an integer'],
    [
      { windows: [MINUTE], stores: { minute: new MemoryStore() }, store: createMemoryStore() },
      'stores and store are exclusive',
    ],
    [{ windows: [MINUTE], stores: [] }, 'stores must be an object of window name -> Store'],
    [
      { windows: [MINUTE], stores: { hour: new MemoryStore() } },
      'createRateLimit: stores.hour names no window',
    ],
    [{ windows: [MINUTE], stores: {} }, 'createRateLimit: stores.minute must be a Store'],
    [{ windows: [MINUTE], store: {} }, 'createRateLimit: store must be a MultiWindowStore'],
    [{ windows: [MINUTE], hooks: [] }, 'createRateLimit: hooks must be an object'],
    [{ windows: [MINUTE], hooks: { onReject: 'log' } }, 'createRateLimit: hooks.onReject must be a function'],
    [{ windows: [MINUTE], limitFor: 5 }, 'createRateLimit: limitFor must be a function'],
    [{ windows: [MINUTE], now: 5 }, 'createRateLimit: now must be a function'],
    [{ windows: [MINUTE], requestId: 'id' }, 'createRateLimit: requestId must be a function'],
    [{ windows: [MINUTE], storesReady: true }, 'createRateLimit: storesReady must be a function'],
  ])('rejects %j with a TypeError naming the option', (options, message) => {
    expect(problem(options)).toContain(message);
  });

  it('refuses one store for two windows (it would count every request twice)', () => {
    const store = new MemoryStore();
    expect(
      problem({
        windows: [MINUTE, { name: 'hour', windowMs: 3_600_000, limit: 100 }],
        stores: { minute: store, hour: store },
      }),
    ).toBe(
      'createRateLimit: stores must hold a different store for each window (one store counts one window)',
    );
  });

  it('refuses a sliding window on per-window stores, which cannot count one', () => {
    expect(
      problem({ windows: [{ ...MINUTE, algorithm: 'sliding' }], stores: { minute: new MemoryStore() } }),
    ).toContain("windows[0].algorithm is 'sliding', which a per-window Store cannot count");
  });

  it('does not mutate the options', () => {
    const options = { windows: [MINUTE], identify: { apiKeys: { abcdefgh: { minute: 3 } } } };
    const copy = structuredClone(options);
    resolveOptions(options);
    expect(options).toEqual(copy);
  });
});
