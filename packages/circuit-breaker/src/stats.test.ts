import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { CircuitOpenError } from './errors/circuit-open-error.js';
import type { CircuitBreaker } from './types.js';

const RESET_MS = 10_000;

class Cancelled extends Error {}

const boom = (): Promise<never> => Promise.reject(new Error('boom'));
const ok = (): Promise<string> => Promise.resolve('ok');
const cancelled = (): Promise<never> => Promise.reject(new Cancelled('caller gave up'));

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function failTimes(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) await breaker.execute(boom).catch(() => undefined);
}

describe('createCircuitBreaker stats and late outcomes', () => {
  let breaker: CircuitBreaker;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    breaker = createCircuitBreaker({
      name: 'api',
      failureThreshold: 3,
      resetTimeoutMs: RESET_MS,
      isIgnored: (error) => error instanceof Cancelled,
    });
  });

  afterEach(() => {
    breaker.shutdown();
    vi.useRealTimers();
  });

  it('counts successes, failures, rejections and ignored calls exactly', async () => {
    expect(breaker.stats()).toEqual({
      name: 'api',
      state: 'CLOSED',
      consecutiveFailures: 0,
      lastFailureAt: null,
      openedAt: null,
      msUntilHalfOpen: null,
      inFlight: 0,
      successes: 0,
      failures: 0,
      rejections: 0,
      ignored: 0,
      slowCalls: 0,
      windowCalls: 0,
      windowFailures: 0,
    });
    await breaker.execute(ok);
    await breaker.execute(ok);
    await breaker.execute(cancelled).catch(() => undefined);
    await failTimes(breaker, 3);
    await breaker.execute(ok).catch(() => undefined);
    await breaker.execute(ok).catch(() => undefined);
    expect(breaker.stats()).toEqual({
      name: 'api',
      state: 'OPEN',
      consecutiveFailures: 3,
      lastFailureAt: 1_000_000,
      openedAt: 1_000_000,
      msUntilHalfOpen: RESET_MS,
      inFlight: 0,
      successes: 2,
      failures: 3,
      rejections: 2,
      ignored: 1,
      slowCalls: 0,
      windowCalls: 0,
      windowFailures: 0,
    });
  });

  it('reports 0 ms until half-open while HALF_OPEN, even when the clock steps back', async () => {
    await failTimes(breaker, 3);
    vi.advanceTimersByTime(RESET_MS);
    expect(breaker.state).toBe('HALF_OPEN');
    vi.setSystemTime(1_000_000);
    expect(breaker.stats().msUntilHalfOpen).toBe(0);
    const trial = deferred<string>();
    const running = breaker.execute(() => trial.promise);
    const error = await breaker.execute(ok).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterMs).toBe(0);
    trial.resolve('done');
    await running;
  });

  it('stays OPEN when a call admitted while CLOSED succeeds after the breaker opened', async () => {
    const slow = deferred<string>();
    const late = breaker.execute(() => slow.promise);
    await failTimes(breaker, 3);
    expect(breaker.state).toBe('OPEN');
    slow.resolve('late');
    await expect(late).resolves.toBe('late');
    expect(breaker.state).toBe('OPEN');
    expect(breaker.stats().successes).toBe(1);
  });

  it('does not free the trial slot when a call admitted while CLOSED ends during HALF_OPEN', async () => {
    const slow = deferred<string>();
    const late = breaker.execute(() => slow.promise);
    await failTimes(breaker, 3);
    vi.advanceTimersByTime(RESET_MS);
    const trial = deferred<string>();
    const running = breaker.execute(() => trial.promise);
    // The old call ends with an ignored error: neither outcome, and it was not the trial.
    slow.reject(new Cancelled('late'));
    await expect(late).rejects.toBeInstanceOf(Cancelled);
    const error = await breaker.execute(ok).catch((e: unknown) => e);
    expect((error as CircuitOpenError).reason).toBe('trial_in_flight');
    trial.resolve('ok');
    await running;
    expect(breaker.state).toBe('CLOSED');
  });

  it('rejects a non-function with a TypeError naming what it got', async () => {
    await expect(breaker.execute('fn' as never)).rejects.toThrow(
      new TypeError('execute(fn): fn must be a function, got "fn"'),
    );
    expect(breaker.stats().failures).toBe(0);
  });
});

describe('createCircuitBreaker shutdown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects with reason shutdown and retryAfterMs 0 even while OPEN', async () => {
    const breaker = createCircuitBreaker({ name: 'api', failureThreshold: 1, resetTimeoutMs: RESET_MS });
    await breaker.execute(boom).catch(() => undefined);
    expect(breaker.state).toBe('OPEN');
    breaker.shutdown();
    const error = (await breaker.execute(ok).catch((e: unknown) => e)) as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.reason).toBe('shutdown');
    expect(error.retryAfterMs).toBe(0);
    expect(error.message).toBe('Circuit "api" has been shut down');
    expect(breaker.stats().rejections).toBe(1);
  });

  it('aborts running calls with a shutdown CircuitOpenError naming the breaker', () => {
    const breaker = createCircuitBreaker({ name: 'api' });
    let seen: AbortSignal | undefined;
    void breaker.execute((signal) => {
      seen = signal;
      return new Promise<never>(() => undefined);
    });
    breaker.shutdown();
    const reason = seen?.reason as CircuitOpenError;
    expect(reason).toBeInstanceOf(CircuitOpenError);
    expect(reason.breakerName).toBe('api');
    expect(reason.reason).toBe('shutdown');
    expect(reason.retryAfterMs).toBe(0);
    expect(reason.message).toBe('Circuit "api" has been shut down');
  });

  it('removes every listener: a rejection after shutdown reaches no onReject listener', async () => {
    const breaker = createCircuitBreaker({ name: 'api' });
    const onReject = vi.fn();
    breaker.onReject(onReject);
    breaker.shutdown();
    await breaker.execute(ok).catch(() => undefined);
    expect(onReject).not.toHaveBeenCalled();
    expect(breaker.stats().rejections).toBe(1);
  });

  it('rejects a listener that is not a function with a TypeError', () => {
    const breaker = createCircuitBreaker();
    expect(() => breaker.onOpen('log' as never)).toThrow(new TypeError('listener must be a function'));
    expect(() => breaker.onReject(undefined as never)).toThrow(TypeError);
    breaker.shutdown();
  });
});
