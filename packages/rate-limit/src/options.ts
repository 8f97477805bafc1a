import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { Store } from 'express-rate-limit';
import { describeInvalidAddress } from './address-list.js';
import type { ClientIdentity } from './client-identity.js';
import type { RateLimitStoreError } from './errors/rate-limit-store-error.js';
import type { MultiWindowStore, RateLimitAlgorithm } from './multi-window-store.js';

/** One window every client is limited over. */
export interface RateLimitWindow {
  /**
   * Unique name: in the 429 body (`window`), its message ("at most 10 requests per minute"), the hooks, the
   * store keys and `limitFor`. 1-64 characters of A-Z a-z 0-9 . _ -
   */
  readonly name: string;
  /** Length of the window in ms: an integer from 1 to 2^31 - 1. */
  readonly windowMs: number;
  /** Requests per client per window (before `limitFor` and API-key tiers): an integer, 0 refuses everything. */
  readonly limit: number;
  /**
   * `fixed`: a window opens at a client's first request and counts until it ends. `sliding`: the weighted
   * previous-window estimate (see the README); needs a multi-window store (the default memory store, or
   * `createRedisMultiWindowStore`). @default 'fixed'
   */
  readonly algorithm?: RateLimitAlgorithm;
  /** Policy name in the draft-8 `RateLimit` / `RateLimit-Policy` headers. @default the name */
  readonly policy?: string;
}

/** A window with every default filled in, as hooks and `limitFor` see it. */
export interface ResolvedWindow {
  readonly name: string;
  readonly windowMs: number;
  readonly limit: number;
  readonly algorithm: RateLimitAlgorithm;
  readonly policy: string;
  /** Position in `windows`. */
  readonly index: number;
}

/** Limits of one API key, by window name; a window left out keeps its own `limit`. */
export type ApiKeyTier = Readonly<Record<string, number>>;

/** How a request is mapped to a client. */
export interface IdentifyOptions {
  /**
   * Known API keys and their tiers. A request with a known key is limited per key (its store key is `key:` and
   * 16 hex characters of the key's SHA-256, never the key). @default none
   */
  readonly apiKeys?: ReadonlyMap<string, ApiKeyTier> | Readonly<Record<string, ApiKeyTier>>;
  /** Request header that carries the API key (lower case). @default 'x-api-key' */
  readonly apiKeyHeader?: string;
  /**
   * A key nobody issued. `reject`: counted against the client address (keys cannot be guessed without limit),
   * then answered 401 JSON. `ignore`: the request is treated as if it had no key. @default 'reject'
   */
  readonly unknownApiKey?: 'reject' | 'ignore';
  /** Addresses and CIDR ranges (IPv4, IPv6) never limited nor counted. @default [] */
  readonly allowlist?: readonly string[];
  /** IPv6 clients are grouped by this prefix length (0-128, or `false` for none). @default 56 */
  readonly ipv6Subnet?: number | false;
  /**
   * Accept an Express app whose `trust proxy` is `true` (any client can then choose its address with
   * `X-Forwarded-For`). When false such a request gets a `PermissiveTrustProxyError` passed to `next()`.
   * @default false
   */
  readonly allowPermissiveTrustProxy?: boolean;
}

/** A request refused with 429. */
export interface RejectEvent {
  readonly req: Request;
  readonly client: ClientIdentity;
  readonly window: ResolvedWindow;
  readonly limit: number;
  readonly retryAfterSeconds: number;
}

/** A store operation failed; reported once per window it concerned. */
export interface StoreErrorEvent {
  readonly error: RateLimitStoreError;
  readonly window: ResolvedWindow;
  readonly policy: StoreErrorPolicy;
}

/** A request counted by the in-process insurance limiter (policy `open`, the store failed). */
export interface InsuranceEvent {
  readonly window: ResolvedWindow;
  readonly client: ClientIdentity;
}

/** Observability hooks (metrics, logs). A hook that throws is ignored: limiting never depends on it. */
export interface RateLimitHooks {
  readonly onReject?: (event: RejectEvent) => void;
  readonly onStoreError?: (event: StoreErrorEvent) => void;
  readonly onInsurance?: (event: InsuranceEvent) => void;
}

/** What happens when the store fails: `open` lets the request through (counted in process), `closed` fails it. */
export type StoreErrorPolicy = 'open' | 'closed';

export interface RateLimitOptions {
  /** The windows, all applied to every request, in this order (the first refusing one answers). Required. */
  readonly windows: readonly RateLimitWindow[];
  /**
   * The limit of `client` in `window`; return `undefined` for the default. Called per request and window.
   * @default the API key's tier, else `window.limit`
   */
  readonly limitFor?: (client: ClientIdentity, window: ResolvedWindow) => number | undefined;
  /** @default IP address (IPv6 by /56), no API keys, no allowlist */
  readonly identify?: IdentifyOptions;
  /**
   * One express-rate-limit `Store` per window name (`MemoryStore`, rate-limit-redis `RedisStore`, …), never
   * shared: counted one window after the other, a window that refuses stops the count (later windows are not
   * spent). Fixed windows only. Exclusive with `store`.
   */
  readonly stores?: Readonly<Record<string, Store>>;
  /**
   * One store for all windows of a client at once (`createMemoryStore`, `createRedisMultiWindowStore`): a
   * refused request spends no quota in any window. Exclusive with `stores`. @default createMemoryStore()
   */
  readonly store?: MultiWindowStore;
  /** @default 'open' */
  readonly onStoreError?: StoreErrorPolicy;
  /** @default none */
  readonly hooks?: RateLimitHooks;
  /** The request id of the JSON error bodies. @default req.id (as pino-http sets it) */
  readonly requestId?: (req: IncomingMessage) => string | undefined;
  /** Clock in ms. @default Date.now */
  readonly now?: () => number;
  /**
   * Whether the per-window stores' backend can take their `init` now (rate-limit-redis loads its scripts there);
   * while false, `init` waits for `reinitializeStores()`. @default `() => true`
   */
  readonly storesReady?: () => boolean;
}

/** Every default of {@link RateLimitOptions}, in one place. */
export const DEFAULT_RATE_LIMIT_OPTIONS = Object.freeze({
  algorithm: 'fixed',
  onStoreError: 'open',
  apiKeyHeader: 'x-api-key',
  unknownApiKey: 'reject',
  ipv6Subnet: 56,
  allowPermissiveTrustProxy: false,
} as const);

/** Longest window: what a `setTimeout`-based store (express-rate-limit's MemoryStore) can schedule. */
export const MAX_WINDOW_MS = 2 ** 31 - 1;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const POLICY = /^[A-Za-z0-9._-]{1,64}$/;
const HEADER = /^[a-z0-9-]{1,64}$/;

function fail(option: string, problem: string): never {
  throw new TypeError(`createRateLimit: ${option} ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLimit(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1_000_000_000) {
    fail(option, `must be an integer from 0 to 1000000000, got ${String(value)}`);
  }
  return value;
}

function resolveWindows(windows: unknown): ResolvedWindow[] {
  if (!Array.isArray(windows) || windows.length === 0) fail('windows', 'must be a non-empty array');
  if (windows.length > 16) fail('windows', `may hold at most 16 windows, got ${windows.length}`);
  const names = new Set<string>();
  return windows.map((window: unknown, index): ResolvedWindow => {
    const at = `windows[${index}]`;
    if (!isRecord(window)) fail(at, 'must be an object');
    const { name, windowMs, limit, algorithm, policy } = window;
    if (typeof name !== 'string' || !NAME.test(name)) {
      fail(`${at}.name`, `must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${JSON.stringify(name)}`);
    }
    if (names.has(name)) fail(`${at}.name`, `"${name}" is used by another window`);
    names.add(name);
    if (
      typeof windowMs !== 'number' ||
      !Number.isInteger(windowMs) ||
      windowMs < 1 ||
      windowMs > MAX_WINDOW_MS
    ) {
      fail(`${at}.windowMs`, `must be an integer from 1 to ${MAX_WINDOW_MS}, got ${String(windowMs)}`);
    }
    const resolvedAlgorithm = algorithm ?? DEFAULT_RATE_LIMIT_OPTIONS.algorithm;
    if (resolvedAlgorithm !== 'fixed' && resolvedAlgorithm !== 'sliding') {
      fail(`${at}.algorithm`, `must be 'fixed' or 'sliding', got ${JSON.stringify(algorithm)}`);
    }
    const resolvedPolicy = policy ?? name;
    if (typeof resolvedPolicy !== 'string' || !POLICY.test(resolvedPolicy)) {
      fail(`${at}.policy`, `must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${JSON.stringify(policy)}`);
    }
    return Object.freeze({
      name,
      windowMs,
      limit: checkLimit(`${at}.limit`, limit),
      algorithm: resolvedAlgorithm,
      policy: resolvedPolicy,
      index,
    });
  });
}

/** `identify` with every default filled in and the API keys as a Map. */
export interface ResolvedIdentify {
  readonly apiKeys: ReadonlyMap<string, ApiKeyTier>;
  readonly apiKeyHeader: string;
  readonly unknownApiKey: 'reject' | 'ignore';
  readonly allowlist: readonly string[];
  readonly ipv6Subnet: number | false;
  readonly allowPermissiveTrustProxy: boolean;
}

function resolveIdentify(identify: unknown, windows: readonly ResolvedWindow[]): ResolvedIdentify {
  if (identify !== undefined && !isRecord(identify)) fail('identify', 'must be an object');
  const given = (identify ?? {}) as IdentifyOptions;
  const header = given.apiKeyHeader ?? DEFAULT_RATE_LIMIT_OPTIONS.apiKeyHeader;
  if (typeof header !== 'string' || !HEADER.test(header)) {
    fail('identify.apiKeyHeader', `must be a lower-case header name, got ${JSON.stringify(header)}`);
  }
  const unknownApiKey = given.unknownApiKey ?? DEFAULT_RATE_LIMIT_OPTIONS.unknownApiKey;
  if (unknownApiKey !== 'reject' && unknownApiKey !== 'ignore') {
    fail('identify.unknownApiKey', `must be 'reject' or 'ignore', got ${JSON.stringify(unknownApiKey)}`);
  }
  const allowlist = given.allowlist ?? [];
  if (!Array.isArray(allowlist)) fail('identify.allowlist', 'must be an array of addresses and CIDR ranges');
  allowlist.forEach((entry: unknown, index) => {
    const problem = typeof entry === 'string' ? describeInvalidAddress(entry) : 'is not a string';
    if (problem !== undefined) fail(`identify.allowlist[${index}]`, problem);
  });
  const ipv6Subnet = given.ipv6Subnet ?? DEFAULT_RATE_LIMIT_OPTIONS.ipv6Subnet;
  if (
    ipv6Subnet !== false &&
    (typeof ipv6Subnet !== 'number' || !Number.isInteger(ipv6Subnet) || ipv6Subnet < 1 || ipv6Subnet > 128)
  ) {
    fail('identify.ipv6Subnet', `must be an integer from 1 to 128 or false, got ${String(ipv6Subnet)}`);
  }
  const allowPermissive =
    given.allowPermissiveTrustProxy ?? DEFAULT_RATE_LIMIT_OPTIONS.allowPermissiveTrustProxy;
  if (typeof allowPermissive !== 'boolean') fail('identify.allowPermissiveTrustProxy', 'must be a boolean');
  const entries =
    given.apiKeys === undefined
      ? []
      : given.apiKeys instanceof Map
        ? [...given.apiKeys]
        : isRecord(given.apiKeys)
          ? Object.entries(given.apiKeys)
          : fail('identify.apiKeys', 'must be a Map or a plain object of key -> tier');
  const names = new Set(windows.map((window) => window.name));
  const apiKeys = new Map<string, ApiKeyTier>();
  for (const [key, tier] of entries as Array<[unknown, unknown]>) {
    if (typeof key !== 'string' || key === '') fail('identify.apiKeys', 'keys must be non-empty strings');
    const at = `identify.apiKeys["${key.slice(0, 4)}…"]`;
    if (!isRecord(tier)) fail(at, 'must be an object of window name -> limit');
    for (const [window, limit] of Object.entries(tier)) {
      if (!names.has(window)) fail(`${at}.${window}`, 'names no window');
      checkLimit(`${at}.${window}`, limit);
    }
    apiKeys.set(key, Object.freeze({ ...(tier as ApiKeyTier) }));
  }
  return Object.freeze({
    apiKeys,
    apiKeyHeader: header,
    unknownApiKey,
    allowlist: Object.freeze([...(allowlist as string[])]),
    ipv6Subnet,
    allowPermissiveTrustProxy: allowPermissive,
  });
}

/** The options once parsed: what the middleware runs on. */
export interface ResolvedOptions {
  readonly windows: readonly ResolvedWindow[];
  readonly identify: ResolvedIdentify;
  readonly onStoreError: StoreErrorPolicy;
  readonly limitFor: ((client: ClientIdentity, window: ResolvedWindow) => number | undefined) | undefined;
  readonly stores: readonly Store[] | undefined;
  readonly store: MultiWindowStore | undefined;
  readonly hooks: RateLimitHooks;
  readonly requestId: (req: IncomingMessage) => string | undefined;
  readonly now: () => number;
  readonly storesReady: () => boolean;
}

/** `req.id` as pino-http sets it (a string or a number), read without claiming the property's type. */
function defaultRequestId(req: IncomingMessage): string | undefined {
  const id = (req as { readonly id?: unknown }).id;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
}

function optionalFunction<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(option, 'must be a function');
  return value;
}

function isStore(value: unknown): value is Store {
  return isRecord(value) && typeof value.increment === 'function';
}

/** Validates `options` (never mutated) and fills in every default. Throws a TypeError naming the option. */
export function resolveOptions(options: RateLimitOptions): ResolvedOptions {
  if (!isRecord(options)) fail('options', 'must be an object');
  const windows = resolveWindows(options.windows);
  const onStoreError = options.onStoreError ?? DEFAULT_RATE_LIMIT_OPTIONS.onStoreError;
  if (onStoreError !== 'open' && onStoreError !== 'closed') {
    fail('onStoreError', `must be 'open' or 'closed', got ${JSON.stringify(options.onStoreError)}`);
  }
  if (options.stores !== undefined && options.store !== undefined) {
    fail('stores', 'and store are exclusive: give one store per window, or one multi-window store');
  }
  let stores: Store[] | undefined;
  if (options.stores !== undefined) {
    if (!isRecord(options.stores)) fail('stores', 'must be an object of window name -> Store');
    const given = options.stores;
    for (const name of Object.keys(given)) {
      if (!windows.some((window) => window.name === name)) fail(`stores.${name}`, 'names no window');
    }
    stores = windows.map((window) => {
      const store = given[window.name];
      if (!isStore(store)) fail(`stores.${window.name}`, 'must be a Store (an object with increment())');
      if (window.algorithm !== 'fixed') {
        fail(
          `windows[${window.index}].algorithm`,
          "is 'sliding', which a per-window Store cannot count; use a multi-window store (store)",
        );
      }
      return store;
    });
    if (new Set(stores).size !== stores.length) {
      fail('stores', 'must hold a different store for each window (one store counts one window)');
    }
  }
  const store = options.store;
  if (store !== undefined && (!isRecord(store) || typeof store.consume !== 'function')) {
    fail('store', 'must be a MultiWindowStore (an object with consume())');
  }
  const hooks = options.hooks ?? {};
  if (!isRecord(hooks)) fail('hooks', 'must be an object');
  for (const name of ['onReject', 'onStoreError', 'onInsurance'] as const) {
    optionalFunction(`hooks.${name}`, hooks[name]);
  }
  return Object.freeze({
    windows: Object.freeze(windows),
    identify: resolveIdentify(options.identify, windows),
    onStoreError,
    limitFor: optionalFunction('limitFor', options.limitFor),
    stores: stores === undefined ? undefined : Object.freeze(stores),
    store,
    hooks: Object.freeze({ ...hooks }),
    requestId: optionalFunction('requestId', options.requestId) ?? defaultRequestId,
    now: optionalFunction('now', options.now) ?? Date.now,
    storesReady: optionalFunction('storesReady', options.storesReady) ?? (() => true),
  });
}
