import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  type ClientRateLimitInfo,
  type IncrementResponse,
  MemoryStore as PerWindowMemoryStore,
  type Options as PerWindowOptions,
  type Store,
} from 'express-rate-limit';
import { createAddressList } from './address-list.js';
import { type ClientIdentity, createClientResolver } from './client-identity.js';
import { PermissiveTrustProxyError } from './errors/permissive-trust-proxy-error.js';
import { isRateLimitStoreError, RateLimitStoreError } from './errors/rate-limit-store-error.js';
import { GuardedStore } from './guarded-store.js';
import { createMemoryStore } from './memory-store.js';
import type { ConsumeResult, MultiWindowStore, WindowLimit } from './multi-window-store.js';
import {
  type RateLimitOptions,
  type ResolvedOptions,
  type ResolvedWindow,
  resolveOptions,
} from './options.js';
import { createPartitionKeyCache, PolicyHeaders } from './policy-headers.js';
import { resetAfterMs, retryAfterMs, usedAt } from './window-math.js';

/** The middleware `createRateLimit` returns, with what its owner needs to run it. */
export interface RateLimitMiddleware extends RequestHandler {
  /** The windows, defaults filled in. */
  readonly windows: readonly ResolvedWindow[];
  /** Runs the per-window stores' `init` again (after their backend came back: reloads rate-limit-redis' script). */
  reinitializeStores(): void;
  /** Forgets a client (its `ClientIdentity.key`) in every window, insurance included. */
  resetKey(key: string): Promise<void>;
  /** Stops the timers of the stores (given or default) and of the insurance limiter. */
  close(): Promise<void>;
}

/** Writes `status` with a JSON error body; ends the response when the headers are already out. */
function sendJson(res: ServerResponse, status: number, body: Readonly<Record<string, unknown>>): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Calls a hook; a hook that throws never changes what the limiter does. */
function call<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // Observability only: ignored by contract.
  }
}

function limitOf(config: ResolvedOptions, client: ClientIdentity, window: ResolvedWindow): number {
  const chosen = config.limitFor?.(client, window);
  if (chosen !== undefined) {
    if (!Number.isInteger(chosen) || chosen < 0) {
      throw new TypeError(
        `createRateLimit: limitFor returned ${String(chosen)} for ${window.name}; expected an integer >= 0`,
      );
    }
    return chosen;
  }
  if (client.kind === 'api-key') return client.tier[window.name] ?? window.limit;
  return window.limit;
}

/**
 * Rate limiting over every window of `options.windows` at once, per client, in one middleware. A request is
 * counted in each window; the first window that refuses it answers 429 with a JSON body (`error`, `message`,
 * `requestId`, `retryAfterSeconds`, `window`), `Retry-After`, and draft-8 `RateLimit` / `RateLimit-Policy`
 * headers with one named policy per window. With a multi-window store (the default) a refused request spends
 * no quota anywhere; with per-window `stores` the windows are counted in order and a refusal stops there.
 *
 * An API key nobody issued is answered 401 JSON after it was counted against its address
 * (`identify.unknownApiKey`); allowlisted addresses are never counted. A failing store follows `onStoreError`:
 * `closed` passes a `RateLimitStoreError` to `next()`; `open` counts the request in an in-process insurance
 * limiter with the same limits, so a failing store never means "unlimited".
 *
 * Throws a TypeError naming the option when `options` is invalid; never mutates it.
 */
export function createRateLimit(options: RateLimitOptions): RateLimitMiddleware {
  const config = resolveOptions(options);
  const { windows, hooks, now } = config;
  const names = windows.map((window) => window.name);
  const resolver = createClientResolver({
    apiKeys: config.identify.apiKeys,
    allowlist: createAddressList(config.identify.allowlist),
    apiKeyHeader: config.identify.apiKeyHeader,
    unknownApiKey: config.identify.unknownApiKey,
    ipv6Subnet: config.identify.ipv6Subnet,
  });
  const partitionKeys = createPartitionKeyCache();
  const reportStoreError = (error: RateLimitStoreError, window: ResolvedWindow): void =>
    call(hooks.onStoreError, { error, window, policy: config.onStoreError });
  const insure = (window: ResolvedWindow, client: ClientIdentity): void =>
    call(hooks.onInsurance, { window, client });

  function refuse(
    req: Request,
    res: Response,
    client: ClientIdentity,
    window: ResolvedWindow,
    limit: number,
    retryAfterSeconds: number,
  ): void {
    call(hooks.onReject, { req, client, window, limit, retryAfterSeconds });
    if (!res.headersSent) res.setHeader('Retry-After', String(retryAfterSeconds));
    sendJson(res, 429, {
      error: 'rate_limited',
      message: `Rate limit exceeded: at most ${limit} requests per ${window.name}.`,
      requestId: config.requestId(req),
      retryAfterSeconds,
      window: window.name,
    });
  }

  // --- one express-rate-limit Store per window -------------------------------------------------------------
  const perWindow = config.stores?.map((store, index) => {
    const window = windows[index] as ResolvedWindow;
    // A store with local keys (memory) has no backend that can fail or come back: it needs no guard.
    return store.localKeys === true
      ? store
      : new GuardedStore(store, {
          window: window.name,
          onError: (error) => reportStoreError(error, window),
          canInitialize: config.storesReady,
        });
  });
  perWindow?.forEach((store, index) => {
    initStore(store, windows[index] as ResolvedWindow, reportStoreError);
  });
  // The insurance limiter of per-window stores: express-rate-limit's MemoryStore per window, made on the first
  // failure, used only for requests whose store failed. Bounded: it forgets every client at each window's end.
  const perWindowInsurance: Array<PerWindowMemoryStore | undefined> = windows.map(() => undefined);

  async function countIn(
    store: Store,
    index: number,
    key: string,
    client: ClientIdentity,
  ): Promise<IncrementResponse> {
    const window = windows[index] as ResolvedWindow;
    try {
      return await store.increment(key);
    } catch (error) {
      if (!isRateLimitStoreError(error) || config.onStoreError !== 'open') throw error;
      insure(window, client);
      let insurance = perWindowInsurance[index];
      if (insurance === undefined) {
        insurance = new PerWindowMemoryStore();
        insurance.init({ windowMs: window.windowMs } as PerWindowOptions);
        perWindowInsurance[index] = insurance;
      }
      return insurance.increment(key);
    }
  }

  async function peek(store: Store, key: string): Promise<ClientRateLimitInfo | undefined> {
    try {
      return await store.get?.(key);
    } catch {
      return undefined;
    }
  }

  async function limitPerWindow(req: Request, res: Response, client: ClientIdentity): Promise<boolean> {
    const stores = perWindow as readonly Store[];
    const key = client.key;
    const headers = new PolicyHeaders(partitionKeys.get(key), now);
    for (let index = 0; index < windows.length; index += 1) {
      const window = windows[index] as ResolvedWindow;
      const limit = limitOf(config, client, window);
      const info = await countIn(stores[index] as Store, index, key, client);
      const retryAfter = headers.add(window, limit, info);
      if (info.totalHits > limit) {
        // The refused request never reaches the later windows: describe them from their stores without counting.
        for (let later = index + 1; later < windows.length; later += 1) {
          const other = windows[later] as ResolvedWindow;
          headers.add(other, limitOf(config, client, other), await peek(stores[later] as Store, key));
        }
        headers.write(res);
        refuse(req, res, client, window, limit, retryAfter);
        return false;
      }
    }
    headers.write(res);
    return true;
  }

  // --- one multi-window store for every window ---------------------------------------------------------------
  const multi: MultiWindowStore | undefined =
    config.stores === undefined ? (config.store ?? createMemoryStore()) : undefined;
  let multiInsurance: MultiWindowStore | undefined;

  async function consume(
    key: string,
    limits: readonly WindowLimit[],
    client: ClientIdentity,
  ): Promise<ConsumeResult> {
    const store = multi as MultiWindowStore;
    try {
      return await store.consume(key, limits, now());
    } catch (cause) {
      if (store.localKeys === true) throw cause;
      const error = isRateLimitStoreError(cause) ? cause : new RateLimitStoreError(names, cause);
      for (const window of windows) reportStoreError(error, window);
      if (config.onStoreError !== 'open') throw error;
      for (const window of windows) insure(window, client);
      multiInsurance ??= createMemoryStore();
      return multiInsurance.consume(key, limits, now());
    }
  }

  const limitsOf = (client: ClientIdentity): readonly WindowLimit[] =>
    Object.freeze(
      windows.map((window) =>
        Object.freeze({
          name: window.name,
          windowMs: window.windowMs,
          limit: limitOf(config, client, window),
          algorithm: window.algorithm,
        }),
      ),
    );
  // Without `limitFor` the limits depend on the client's tier only: built once per tier, not per request.
  const tierLimits = new WeakMap<object, readonly WindowLimit[]>();
  let defaultLimits: readonly WindowLimit[] | undefined;
  function limitsFor(client: ClientIdentity): readonly WindowLimit[] {
    if (config.limitFor !== undefined) return limitsOf(client);
    if (client.kind !== 'api-key') {
      defaultLimits ??= limitsOf(client);
      return defaultLimits;
    }
    let limits = tierLimits.get(client.tier);
    if (limits === undefined) {
      limits = limitsOf(client);
      tierLimits.set(client.tier, limits);
    }
    return limits;
  }

  async function limitMulti(req: Request, res: Response, client: ClientIdentity): Promise<boolean> {
    const key = client.key;
    const limits = limitsFor(client);
    const result = await consume(key, limits, client);
    const at = result.now;
    // Only `add` reads the clock, and this path uses `addEntry` alone.
    const headers = new PolicyHeaders(partitionKeys.get(key), now);
    let retryAfterSeconds = 0;
    for (let index = 0; index < limits.length; index += 1) {
      const limit = limits[index] as WindowLimit;
      const window = windows[index] as ResolvedWindow;
      const count = result.counts[index] ?? { start: at, current: 0, previous: 0 };
      const used = usedAt(count, at, limit.windowMs, limit.algorithm);
      // A hair of tolerance: a weighted estimate of 7.9999999 is 8 requests.
      const remaining = Math.max(0, Math.floor(limit.limit - used + 1e-9));
      const windowSeconds = Math.ceil(limit.windowMs / 1000);
      const wait = Math.ceil(retryAfterMs(count, at, limit.windowMs, limit.limit, limit.algorithm) / 1000);
      let resetSeconds: number;
      if (limit.algorithm === 'fixed') {
        // Clamped to the window: a store that opened it a millisecond after `now` must not announce 61 s.
        resetSeconds = Math.min(
          windowSeconds,
          Math.ceil(resetAfterMs(count, at, limit.windowMs, 'fixed') / 1000),
        );
      } else {
        resetSeconds =
          remaining === 0 ? wait : Math.ceil(resetAfterMs(count, at, limit.windowMs, 'sliding') / 1000);
      }
      headers.addEntry(window, limit.limit, remaining, resetSeconds);
      if (result.refusedBy !== -1 && wait > retryAfterSeconds) retryAfterSeconds = wait;
    }
    headers.write(res);
    if (result.refusedBy === -1) return true;
    const window = windows[result.refusedBy] as ResolvedWindow;
    const limit = limits[result.refusedBy] as WindowLimit;
    refuse(req, res, client, window, limit.limit, Math.max(retryAfterSeconds, 1));
    return false;
  }

  // --- the middleware --------------------------------------------------------------------------------------
  const limit = perWindow === undefined ? limitMulti : limitPerWindow;
  const allowPermissive = config.identify.allowPermissiveTrustProxy;
  const header = config.identify.apiKeyHeader;
  const unknownKeyMessage = `The ${header === 'x-api-key' ? 'X-API-Key' : header} header does not name a known API key.`;

  const middleware = ((req: Request, res: Response, next: NextFunction): void => {
    if (!allowPermissive && req.app?.get('trust proxy') === true) {
      next(new PermissiveTrustProxyError());
      return;
    }
    const client = resolver.resolve(req, req.ip);
    req.rateLimitClient = client;
    const afterLimit = (pass: boolean): void => {
      if (!pass) return;
      if (client.kind !== 'unknown-api-key') {
        next();
        return;
      }
      sendJson(res, 401, {
        error: 'invalid_api_key',
        message: unknownKeyMessage,
        requestId: config.requestId(req),
      });
    };
    if (client.allowlisted) {
      afterLimit(true);
      return;
    }
    limit(req, res, client).then(afterLimit, (error: unknown) => next(error));
  }) as RateLimitMiddleware;

  Object.defineProperties(middleware, {
    windows: { value: windows, enumerable: true },
    reinitializeStores: {
      value(): void {
        for (const store of perWindow ?? []) if (store instanceof GuardedStore) store.reinitialize();
      },
    },
    resetKey: {
      async value(key: string): Promise<void> {
        await Promise.all([
          ...(perWindow ?? []).map((store) => store.resetKey(key)),
          ...perWindowInsurance.map((store) => store?.resetKey(key)),
          multi?.resetKey?.(key),
          multiInsurance?.resetKey?.(key),
        ]);
      },
    },
    close: {
      async value(): Promise<void> {
        for (const store of perWindowInsurance) store?.shutdown();
        await multiInsurance?.shutdown?.();
        await Promise.all([...(perWindow ?? []).map((store) => store.shutdown?.()), multi?.shutdown?.()]);
      },
    },
  });
  return middleware;
}

/** Runs a per-window store's `init` with its window, as express-rate-limit would; a failure is reported, not thrown. */
function initStore(
  store: Store,
  window: ResolvedWindow,
  report: (error: RateLimitStoreError, window: ResolvedWindow) => void,
): void {
  if (store.init === undefined) return;
  const fail = (cause: unknown): void =>
    report(isRateLimitStoreError(cause) ? cause : new RateLimitStoreError([window.name], cause), window);
  try {
    const result = store.init({ windowMs: window.windowMs } as PerWindowOptions);
    if (result instanceof Promise) result.catch(fail);
  } catch (cause) {
    fail(cause);
  }
}
