import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BreakerRegistry,
  createBreakerRegistry,
  type RegistryStateChangeEvent,
} from './create-breaker-registry.js';
import { CircuitOpenError } from './errors/circuit-open-error.js';
import type { CircuitBreaker } from './types.js';

const boom = (): Promise<never> => Promise.reject(new Error('boom'));
const ok = (): Promise<string> => Promise.resolve('ok');

async function open(breaker: CircuitBreaker, failures = 5): Promise<void> {
  for (let i = 0; i < failures; i += 1) await breaker.execute(boom).catch(() => undefined);
}

describe('createBreakerRegistry', () => {
  let registry: BreakerRegistry;

  beforeEach(() => {
    vi.useFakeTimers();
    registry = createBreakerRegistry({ failureThreshold: 2, resetTimeoutMs: 1000 });
  });

  afterEach(() => {
    registry.shutdown();
    vi.useRealTimers();
  });

  it('creates one breaker per key on first use and returns the same one afterwards', () => {
    const a = registry.get('http://a:80');
    expect(registry.get('http://a:80')).toBe(a);
    expect(a.name).toBe('http://a:80');
    expect(registry.size).toBe(1);
  });

  it('keeps breakers independent per key', async () => {
    const a = registry.get('http://a:80');
    const b = registry.get('http://b:80');
    await open(a, 2);
    expect(a.state).toBe('OPEN');
    expect(b.state).toBe('CLOSED');
    await expect(b.execute(ok)).resolves.toBe('ok');
    await expect(a.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('gives every breaker the shared options', async () => {
    const a = registry.get('a');
    await open(a, 1);
    expect(a.state).toBe('CLOSED');
    await open(a, 1);
    expect(a.state).toBe('OPEN');
    expect(a.stats().msUntilHalfOpen).toBe(1000);
  });

  it('snapshots every breaker with its key and stats', async () => {
    await open(registry.get('a'), 2);
    registry.get('b');
    const snapshot = registry.snapshot();
    expect(snapshot).toHaveLength(2);
    expect(snapshot).toContainEqual(
      expect.objectContaining({ key: 'a', state: 'OPEN', consecutiveFailures: 2, msUntilHalfOpen: 1000 }),
    );
    expect(snapshot).toContainEqual(
      expect.objectContaining({ key: 'b', state: 'CLOSED', consecutiveFailures: 0, msUntilHalfOpen: null }),
    );
  });

  it('reports state changes of every breaker with its key, until unsubscribed', async () => {
    const events: RegistryStateChangeEvent[] = [];
    const unsubscribe = registry.onStateChange((event) => events.push(event));
    await open(registry.get('a'), 2);
    vi.advanceTimersByTime(1000);
    await open(registry.get('b'), 2);
    unsubscribe();
    await registry.get('a').execute(ok);
    expect(events).toEqual([
      { key: 'a', from: 'CLOSED', to: 'OPEN' },
      { key: 'a', from: 'OPEN', to: 'HALF_OPEN' },
      { key: 'b', from: 'CLOSED', to: 'OPEN' },
    ]);
  });

  it('shuts every breaker down and stops every timer', async () => {
    const a = registry.get('a');
    await open(a, 2);
    registry.get('b');
    registry.shutdown();
    expect(vi.getTimerCount()).toBe(0);
    expect(registry.size).toBe(0);
    await expect(a.execute(ok)).rejects.toMatchObject({ reason: 'shutdown' });
  });

  it('after shutdown hands out breakers that reject every call and are not kept', async () => {
    registry.shutdown();
    const late = registry.get('late');
    const fn = vi.fn(ok);
    await expect(late.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).not.toHaveBeenCalled();
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  describe('maxBreakers', () => {
    it('evicts and shuts down the least recently used CLOSED breaker', async () => {
      const small = createBreakerRegistry({ maxBreakers: 2 });
      const a = small.get('a');
      small.get('b');
      small.get('a'); // a is now more recently used than b
      small.get('c');
      expect(small.size).toBe(2);
      expect(small.snapshot().map((s) => s.key)).toEqual(['a', 'c']);
      expect(small.get('a')).toBe(a);
      small.shutdown();
    });

    it('keeps the recency order when the same key is asked for repeatedly', () => {
      const small = createBreakerRegistry({ maxBreakers: 3 });
      small.get('a');
      small.get('b');
      small.get('b');
      small.get('a');
      small.get('a');
      expect(small.snapshot().map((s) => s.key)).toEqual(['b', 'a']);
      small.get('c');
      small.get('b');
      small.get('d'); // evicts a, the least recently used
      expect(small.snapshot().map((s) => s.key)).toEqual(['c', 'b', 'd']);
      small.shutdown();
    });

    it('never evicts an OPEN breaker and grows past the bound when nothing can be evicted', async () => {
      const small = createBreakerRegistry({ maxBreakers: 2, failureThreshold: 1 });
      await open(small.get('a'), 1);
      await open(small.get('b'), 1);
      small.get('c');
      expect(small.size).toBe(3);
      expect(small.get('a').state).toBe('OPEN');
      expect(small.get('b').state).toBe('OPEN');
      small.shutdown();
    });

    it('skips OPEN breakers and evicts the oldest CLOSED one', async () => {
      const small = createBreakerRegistry({ maxBreakers: 2, failureThreshold: 1 });
      await open(small.get('a'), 1);
      const b = small.get('b');
      small.get('c');
      expect(small.snapshot().map((s) => s.key)).toEqual(['a', 'c']);
      await expect(b.execute(ok)).rejects.toMatchObject({ reason: 'shutdown' });
      small.shutdown();
    });

    it('does not evict a breaker with a call in flight', async () => {
      const small = createBreakerRegistry({ maxBreakers: 1 });
      let finish!: (value: string) => void;
      const call = small.get('a').execute(() => new Promise<string>((resolve) => (finish = resolve)));
      small.get('b');
      expect(small.size).toBe(2);
      finish('done');
      await expect(call).resolves.toBe('done');
      small.get('c');
      expect(small.snapshot().map((s) => s.key)).toEqual(['c']);
      small.shutdown();
    });

    it('does not leave timers of evicted breakers behind', () => {
      const small = createBreakerRegistry({ maxBreakers: 1 });
      for (const key of ['a', 'b', 'c', 'd']) small.get(key);
      expect(small.size).toBe(1);
      // Only the kept breaker's rolling-window timer is left.
      expect(vi.getTimerCount()).toBe(1);
      small.shutdown();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('does not mutate the options object', () => {
    const options = { maxBreakers: 3, failureThreshold: 2, resetTimeoutMs: 10 };
    const copy = { ...options };
    createBreakerRegistry(options).get('x');
    expect(options).toEqual(copy);
  });

  it.each([
    [{ maxBreakers: 0 }, 'options.maxBreakers'],
    [{ maxBreakers: 1.5 }, 'options.maxBreakers'],
    [{ failureThreshold: 0 }, 'options.failureThreshold'],
    [{ resetTimeoutMs: 'soon' }, 'options.resetTimeoutMs'],
  ])('rejects %o at construction with a TypeError naming %s', (options, name) => {
    expect(() => createBreakerRegistry(options as never)).toThrow(TypeError);
    expect(() => createBreakerRegistry(options as never)).toThrow(name);
  });

  it.each([
    ['', 'key must be a non-empty string, got ""'],
    [42, 'key must be a non-empty string, got 42'],
    [null, 'key must be a non-empty string, got null'],
    [undefined, 'key must be a non-empty string, got undefined'],
  ])('rejects the key %j with a TypeError saying why', (key, message) => {
    expect(() => registry.get(key as never)).toThrow(new TypeError(message));
    expect(registry.size).toBe(0);
  });
});

describe('createBreakerRegistry async context', () => {
  // Real timers: fake ones run callbacks from the test's context and would hide the bug. Nothing here is a
  // margin: the test waits for the HALF_OPEN event itself.
  it("runs HALF_OPEN listeners in the registry's context, not in that of the request that opened it", async () => {
    const requests = new AsyncLocalStorage<string>();
    const registry = createBreakerRegistry({ failureThreshold: 1, resetTimeoutMs: 1 });
    const seen: Array<[string, string | undefined]> = [];
    let halfOpen!: () => void;
    const halfOpened = new Promise<void>((resolve) => {
      halfOpen = resolve;
    });
    registry.onStateChange(({ to }) => {
      seen.push([to, requests.getStore()]);
      if (to === 'HALF_OPEN') halfOpen();
    });
    await requests.run('opener', () =>
      registry
        .get('api')
        .execute(() => Promise.reject(new Error('down')))
        .catch(() => undefined),
    );
    await halfOpened;
    await requests.run('trial', () => registry.get('api').execute(async () => 'ok'));
    expect(seen).toEqual([
      ['OPEN', 'opener'],
      ['HALF_OPEN', undefined],
      ['CLOSED', 'trial'],
    ]);
    registry.shutdown();
  });
});
