import type { Options, Store } from 'express-rate-limit';
import { describe, expect, it, vi } from 'vitest';
import { isRateLimitStoreError, type RateLimitStoreError } from './errors/rate-limit-store-error.js';
import { GuardedStore } from './guarded-store.js';

function innerStore(overrides: Partial<Store> = {}): Store {
  return {
    init: vi.fn(),
    increment: vi.fn(async () => ({ totalHits: 1, resetTime: undefined })),
    decrement: vi.fn(async () => {}),
    resetKey: vi.fn(async () => {}),
    prefix: 'rl:minute:',
    ...overrides,
  };
}

const OPTIONS = { windowMs: 60_000 } as Options;

describe('GuardedStore', () => {
  it('wraps every failure in one RateLimitStoreError, reported once', async () => {
    const errors: RateLimitStoreError[] = [];
    const store = new GuardedStore(
      innerStore({ increment: vi.fn(async () => Promise.reject(new Error('offline'))) }),
      { window: 'minute', onError: (error) => errors.push(error) },
    );
    const error = await store.increment('ip:1').catch((e: unknown) => e);
    expect(isRateLimitStoreError(error)).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.window).toBe('minute');
    expect(errors[0]?.cause).toEqual(new Error('offline'));
    expect(store.prefix).toBe('rl:minute:');
  });

  it('defers init while the backend is not ready and runs it on reinitialize', () => {
    let ready = false;
    const inner = innerStore();
    const store = new GuardedStore(inner, { window: 'hour', onError: () => {}, canInitialize: () => ready });
    store.init(OPTIONS);
    expect(inner.init).not.toHaveBeenCalled();
    ready = true;
    store.reinitialize();
    store.reinitialize();
    expect(inner.init).toHaveBeenCalledTimes(2);
    expect(inner.init).toHaveBeenCalledWith(OPTIONS);
  });

  it('reports a failed init instead of throwing', async () => {
    const errors: RateLimitStoreError[] = [];
    const store = new GuardedStore(innerStore({ init: () => Promise.reject(new Error('NOSCRIPT')) }), {
      window: 'minute',
      onError: (error) => errors.push(error),
    });
    store.init(OPTIONS);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
  });
});
