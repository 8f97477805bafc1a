import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { CircuitBreakerError } from './errors/circuit-breaker-error.js';
import { CircuitOpenError, isCircuitOpenError } from './errors/circuit-open-error.js';
import type { CircuitBreaker, StateChangeEvent } from './types.js';

const RESET_MS = 60_000;

const boom = (): Promise<never> => Promise.reject(new Error('boom'));
const ok = (): Promise<string> => Promise.resolve('ok');

async function failTimes(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
  }
}

/** Runs a call the breaker must reject and returns the CircuitOpenError. */
async function rejection(breaker: CircuitBreaker): Promise<CircuitOpenError> {
  const error: unknown = await breaker.execute(ok).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CircuitOpenError))
    throw new Error(`expected a CircuitOpenError, got ${String(error)}`);
  return error;
}

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createCircuitBreaker', () => {
  let breaker: CircuitBreaker;

  beforeEach(() => {
    vi.useFakeTimers();
    breaker = createCircuitBreaker({ name: 'api', resetTimeoutMs: RESET_MS });
  });

  afterEach(() => {
    breaker.shutdown();
    vi.useRealTimers();
  });

  it('starts CLOSED and passes results and errors through untouched', async () => {
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.name).toBe('api');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    const error = new Error('original');
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
  });

  it('rethrows a synchronous throw from fn and counts it as a failure', async () => {
    const error = new Error('sync');
    await expect(
      breaker.execute(() => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(breaker.stats().consecutiveFailures).toBe(1);
  });

  it('rejects a non-function with a TypeError and does not count it as a failure', async () => {
    await expect(breaker.execute('nope' as never)).rejects.toThrow(TypeError);
    expect(breaker.stats().consecutiveFailures).toBe(0);
    expect(breaker.stats().failures).toBe(0);
  });

  it('stays CLOSED after 4 consecutive failures', async () => {
    await failTimes(breaker, 4);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().consecutiveFailures).toBe(4);
  });

  it('opens after exactly 5 consecutive failures', async () => {
    await failTimes(breaker, 5);
    expect(breaker.state).toBe('OPEN');
    expect(breaker.stats().consecutiveFailures).toBe(5);
  });

  it('resets the count on an interleaved success', async () => {
    await failTimes(breaker, 4);
    await breaker.execute(ok);
    expect(breaker.stats().consecutiveFailures).toBe(0);
    await failTimes(breaker, 4);
    expect(breaker.state).toBe('CLOSED');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('OPEN');
  });

  it('honours a custom failureThreshold', async () => {
    const one = createCircuitBreaker({ failureThreshold: 1 });
    await expect(one.execute(boom)).rejects.toThrow('boom');
    expect(one.state).toBe('OPEN');
    one.shutdown();
  });

  it('never trips on its own on a failure percentage (many failures among many successes)', async () => {
    for (let i = 0; i < 30; i += 1) {
      await failTimes(breaker, 4);
      await breaker.execute(ok);
    }
    expect(breaker.state).toBe('CLOSED');
  });

  it('while OPEN rejects at once with CircuitOpenError without running fn', async () => {
    await failTimes(breaker, 5);
    const fn = vi.fn(ok);
    const error = await breaker.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toBeInstanceOf(CircuitBreakerError);
    expect(isCircuitOpenError(error)).toBe(true);
    const open = error as CircuitOpenError;
    expect(open.code).toBe('ERR_CIRCUIT_OPEN');
    expect(open.breakerName).toBe('api');
    expect(open.reason).toBe('open');
    expect(open.retryAfterMs).toBe(RESET_MS);
    expect(open.name).toBe('CircuitOpenError');
    expect(open.message).toContain('"api"');
  });

  describe('the stack of a rejection', () => {
    it('captures no frames by default: the stack is the first line, and stackTraceLimit is restored', async () => {
      await failTimes(breaker, 5);
      const before = Error.stackTraceLimit;
      const error = await rejection(breaker);
      expect(error.stack).toBe(`CircuitOpenError: ${error.message}`);
      expect(error.message).toContain('"api" is open');
      expect(Error.stackTraceLimit).toBe(before);
    });

    it('with rejectionStackFrames, starts at the caller of execute and keeps that many frames', async () => {
      const traced = createCircuitBreaker({ failureThreshold: 1, rejectionStackFrames: 2 });
      await traced.execute(boom).catch(() => undefined);
      const before = Error.stackTraceLimit;
      const callerOfExecute = (): Promise<unknown> => traced.execute(ok).catch((e: unknown) => e);
      const error = (await callerOfExecute()) as CircuitOpenError;
      traced.shutdown();
      expect(Error.stackTraceLimit).toBe(before);
      const lines = (error.stack ?? '').split('\n');
      expect(lines[0]).toBe(`CircuitOpenError: ${error.message}`);
      expect(lines.length - 1).toBeGreaterThan(0);
      expect(lines.length - 1).toBeLessThanOrEqual(2);
      expect(lines[1]).toContain('callerOfExecute');
      expect(error.stack).not.toContain('create-circuit-breaker.ts');
    });

    it('keeps no more frames than Error.stackTraceLimit allows', async () => {
      const traced = createCircuitBreaker({ failureThreshold: 1, rejectionStackFrames: 10 });
      await traced.execute(boom).catch(() => undefined);
      const before = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        const error = await rejection(traced);
        expect(error.stack).toBe(`CircuitOpenError: ${error.message}`);
        expect(Error.stackTraceLimit).toBe(0);
      } finally {
        Error.stackTraceLimit = before;
        traced.shutdown();
      }
    });
  });

  it('does not count a rejected call as a failure', async () => {
    await failTimes(breaker, 5);
    const before = breaker.stats();
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    const after = breaker.stats();
    expect(after.consecutiveFailures).toBe(before.consecutiveFailures);
    expect(after.failures).toBe(before.failures);
    expect(after.lastFailureAt).toBe(before.lastFailureAt);
    expect(after.rejections).toBe(before.rejections + 1);
  });

  it('reports a retryAfterMs that decreases as time passes', async () => {
    await failTimes(breaker, 5);
    const first = await rejection(breaker);
    vi.advanceTimersByTime(15_000);
    const second = await rejection(breaker);
    vi.advanceTimersByTime(44_999);
    const third = await rejection(breaker);
    expect(first.retryAfterMs).toBe(60_000);
    expect(second.retryAfterMs).toBe(45_000);
    expect(third.retryAfterMs).toBe(1);
    expect(breaker.stats().msUntilHalfOpen).toBe(1);
  });

  it('goes HALF_OPEN exactly after resetTimeoutMs', async () => {
    await failTimes(breaker, 5);
    vi.advanceTimersByTime(RESET_MS - 1);
    expect(breaker.state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.stats().msUntilHalfOpen).toBe(0);
  });

  it('lets exactly one trial through while HALF_OPEN and rejects concurrent calls fast', async () => {
    await failTimes(breaker, 5);
    vi.advanceTimersByTime(RESET_MS);
    const trial = deferred<string>();
    const trialFn = vi.fn(() => trial.promise);
    const trialCall = breaker.execute(trialFn);
    expect(trialFn).toHaveBeenCalledTimes(1);

    const others = [vi.fn(ok), vi.fn(ok), vi.fn(ok)];
    const results = await Promise.allSettled(others.map((fn) => breaker.execute(fn)));
    for (const fn of others) expect(fn).not.toHaveBeenCalled();
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as CircuitOpenError;
      expect(reason).toBeInstanceOf(CircuitOpenError);
      expect(reason.reason).toBe('trial_in_flight');
      expect(reason.retryAfterMs).toBe(0);
    }
    expect(breaker.stats().inFlight).toBe(1);

    trial.resolve('recovered');
    await expect(trialCall).resolves.toBe('recovered');
    expect(breaker.stats().inFlight).toBe(0);
  });

  it('closes and resets the count when the trial succeeds', async () => {
    await failTimes(breaker, 5);
    vi.advanceTimersByTime(RESET_MS);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats().consecutiveFailures).toBe(0);
    expect(breaker.stats().msUntilHalfOpen).toBeNull();
    // A fresh count: 4 failures do not re-open it.
    await failTimes(breaker, 4);
    expect(breaker.state).toBe('CLOSED');
  });

  it('re-opens for a new full timeout when the trial fails', async () => {
    await failTimes(breaker, 5);
    vi.advanceTimersByTime(RESET_MS);
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    expect(breaker.state).toBe('OPEN');
    const error = await rejection(breaker);
    expect(error.retryAfterMs).toBe(RESET_MS);
    vi.advanceTimersByTime(RESET_MS - 1);
    expect(breaker.state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('HALF_OPEN');
  });

  it('records the time of the last failure', async () => {
    expect(breaker.stats().lastFailureAt).toBeNull();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    await failTimes(breaker, 1);
    expect(breaker.stats().lastFailureAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  describe('isFailure', () => {
    class NotFound extends Error {}
    let filtered: CircuitBreaker;

    beforeEach(() => {
      filtered = createCircuitBreaker({ isFailure: (error) => !(error instanceof NotFound) });
    });
    afterEach(() => filtered.shutdown());

    it('rethrows an error that is not a failure but does not count it', async () => {
      const error = new NotFound('404');
      for (let i = 0; i < 10; i += 1) {
        await expect(filtered.execute(() => Promise.reject(error))).rejects.toBe(error);
      }
      expect(filtered.state).toBe('CLOSED');
      expect(filtered.stats().failures).toBe(0);
    });

    it('treats an error that is not a failure as a sign of life that resets the count', async () => {
      await failTimes(filtered, 4);
      await expect(filtered.execute(() => Promise.reject(new NotFound()))).rejects.toBeInstanceOf(NotFound);
      expect(filtered.stats().consecutiveFailures).toBe(0);
      await failTimes(filtered, 4);
      expect(filtered.state).toBe('CLOSED');
    });

    it('closes a half-open breaker when the trial ends with an error that is not a failure', async () => {
      await failTimes(filtered, 5);
      vi.advanceTimersByTime(60_000);
      await expect(filtered.execute(() => Promise.reject(new NotFound()))).rejects.toBeInstanceOf(NotFound);
      expect(filtered.state).toBe('CLOSED');
    });

    it('counts the error as a failure when isFailure throws', async () => {
      const throwing = createCircuitBreaker({
        failureThreshold: 1,
        isFailure: () => {
          throw new Error('classifier bug');
        },
      });
      await expect(throwing.execute(boom)).rejects.toThrow('boom');
      expect(throwing.state).toBe('OPEN');
      throwing.shutdown();
    });
  });

  describe('isIgnored', () => {
    class Cancelled extends Error {}
    const cancelled = (): Promise<never> => Promise.reject(new Cancelled('caller aborted'));
    let neutral: CircuitBreaker;

    beforeEach(() => {
      neutral = createCircuitBreaker({ isIgnored: (error) => error instanceof Cancelled });
    });
    afterEach(() => neutral.shutdown());

    it('rethrows an ignored error untouched and counts it in neither direction', async () => {
      const error = new Cancelled();
      await expect(neutral.execute(() => Promise.reject(error))).rejects.toBe(error);
      expect(neutral.stats()).toMatchObject({ successes: 0, failures: 0, ignored: 1, lastFailureAt: null });
    });

    it('does not reset the consecutive count: 4 failures, an ignored error, 1 failure open the breaker', async () => {
      await failTimes(neutral, 4);
      await expect(neutral.execute(cancelled)).rejects.toBeInstanceOf(Cancelled);
      expect(neutral.stats().consecutiveFailures).toBe(4);
      expect(neutral.state).toBe('CLOSED');
      await failTimes(neutral, 1);
      expect(neutral.state).toBe('OPEN');
    });

    it('does not close a half-open breaker when the trial is ignored; the next call is the trial', async () => {
      const changes: StateChangeEvent[] = [];
      neutral.onStateChange((event) => changes.push(event));
      await failTimes(neutral, 5);
      vi.advanceTimersByTime(RESET_MS);
      await expect(neutral.execute(cancelled)).rejects.toBeInstanceOf(Cancelled);
      expect(neutral.state).toBe('HALF_OPEN');
      expect(changes.map((c) => c.to)).toEqual(['OPEN', 'HALF_OPEN']);
      expect(neutral.stats().consecutiveFailures).toBe(5);

      // The gate is re-armed at once: the next call runs as the trial, concurrent ones are still refused.
      const trial = deferred<string>();
      const trialFn = vi.fn(() => trial.promise);
      const trialCall = neutral.execute(trialFn);
      expect(trialFn).toHaveBeenCalledTimes(1);
      expect((await rejection(neutral)).reason).toBe('trial_in_flight');
      trial.resolve('back');
      await expect(trialCall).resolves.toBe('back');
      expect(neutral.state).toBe('CLOSED');
    });

    it('does not let a trial from an earlier half-open period release the gate of the current one', async () => {
      const late = deferred<string>();
      const lateCall = neutral.execute(() => late.promise); // admitted while CLOSED
      await failTimes(neutral, 5);
      vi.advanceTimersByTime(RESET_MS);
      const oldTrial = deferred<string>();
      const oldTrialCall = neutral.execute(() => oldTrial.promise);
      // The late call fails: the breaker re-opens (a late outcome decides like a trial), then half-opens again.
      late.reject(new Error('late'));
      await expect(lateCall).rejects.toThrow('late');
      expect(neutral.state).toBe('OPEN');
      vi.advanceTimersByTime(RESET_MS);
      const newTrial = deferred<string>();
      const newTrialCall = neutral.execute(() => newTrial.promise);
      // The old trial ends ignored: the new period's trial is still running, so the gate stays shut.
      oldTrial.reject(new Cancelled());
      await expect(oldTrialCall).rejects.toBeInstanceOf(Cancelled);
      expect((await rejection(neutral)).reason).toBe('trial_in_flight');
      newTrial.resolve('ok');
      await expect(newTrialCall).resolves.toBe('ok');
      expect(neutral.state).toBe('CLOSED');
    });

    it('re-opens when the trial after an ignored one fails', async () => {
      await failTimes(neutral, 5);
      vi.advanceTimersByTime(RESET_MS);
      await expect(neutral.execute(cancelled)).rejects.toBeInstanceOf(Cancelled);
      await failTimes(neutral, 1);
      expect(neutral.state).toBe('OPEN');
      expect((await rejection(neutral)).retryAfterMs).toBe(RESET_MS);
    });

    it('is asked before isFailure, which is not asked for an ignored error', async () => {
      const isFailure = vi.fn(() => true);
      const both = createCircuitBreaker({ failureThreshold: 1, isFailure, isIgnored: () => true });
      await expect(both.execute(boom)).rejects.toThrow('boom');
      expect(isFailure).not.toHaveBeenCalled();
      expect(both.state).toBe('CLOSED');
      both.shutdown();
    });

    it('lets isFailure decide when isIgnored throws', async () => {
      const throwing = createCircuitBreaker({
        failureThreshold: 1,
        isIgnored: () => {
          throw new Error('classifier bug');
        },
      });
      await expect(throwing.execute(boom)).rejects.toThrow('boom');
      expect(throwing.state).toBe('OPEN');
      throwing.shutdown();
    });

    it('ignores nothing by default: an abort-like error is a failure', async () => {
      await failTimes(breaker, 4);
      await expect(breaker.execute(cancelled)).rejects.toBeInstanceOf(Cancelled);
      expect(breaker.state).toBe('OPEN');
    });
  });

  describe('events', () => {
    it('reports every transition to onStateChange and the specific listeners', async () => {
      const changes: StateChangeEvent[] = [];
      const onOpen = vi.fn();
      const onHalfOpen = vi.fn();
      const onClose = vi.fn();
      breaker.onStateChange((event) => changes.push(event));
      breaker.onOpen(onOpen);
      breaker.onHalfOpen(onHalfOpen);
      breaker.onClose(onClose);

      await failTimes(breaker, 5);
      vi.advanceTimersByTime(RESET_MS);
      await breaker.execute(ok);

      expect(changes).toEqual([
        { name: 'api', from: 'CLOSED', to: 'OPEN' },
        { name: 'api', from: 'OPEN', to: 'HALF_OPEN' },
        { name: 'api', from: 'HALF_OPEN', to: 'CLOSED' },
      ]);
      expect(onOpen).toHaveBeenCalledTimes(1);
      expect(onOpen).toHaveBeenCalledWith({
        name: 'api',
        consecutiveFailures: 5,
        lastError: expect.objectContaining({ message: 'boom' }),
        retryAfterMs: RESET_MS,
      });
      expect(onHalfOpen).toHaveBeenCalledWith({ name: 'api' });
      expect(onClose).toHaveBeenCalledWith({ name: 'api' });
    });

    it('reports each rejection to onReject with the error the caller got', async () => {
      const onReject = vi.fn();
      breaker.onReject(onReject);
      await failTimes(breaker, 5);
      const error = await breaker.execute(ok).catch((e: unknown) => e);
      expect(onReject).toHaveBeenCalledTimes(1);
      expect(onReject).toHaveBeenCalledWith({ name: 'api', error });
    });

    it('stops calling a listener once unsubscribed, and unsubscribing twice is harmless', async () => {
      const kept = vi.fn();
      const dropped = vi.fn();
      breaker.onOpen(kept);
      const unsubscribe = breaker.onOpen(dropped);
      const unsubscribeChange = breaker.onStateChange(dropped);
      const unsubscribeReject = breaker.onReject(dropped);
      unsubscribe();
      unsubscribe();
      unsubscribeChange();
      unsubscribeReject();
      await failTimes(breaker, 5);
      await breaker.execute(ok).catch(() => undefined);
      expect(kept).toHaveBeenCalledTimes(1);
      expect(dropped).not.toHaveBeenCalled();
    });

    it('keeps working and notifies other listeners when a listener throws, surfacing the error later', async () => {
      const surfaced: unknown[] = [];
      vi.stubGlobal('queueMicrotask', (task: () => void) => {
        try {
          task();
        } catch (error) {
          surfaced.push(error);
        }
      });
      const other = vi.fn();
      breaker.onOpen(() => {
        throw new Error('listener bug');
      });
      breaker.onOpen(other);
      await failTimes(breaker, 5);
      vi.unstubAllGlobals();
      expect(breaker.state).toBe('OPEN');
      expect(other).toHaveBeenCalledTimes(1);
      expect(surfaced).toEqual([expect.objectContaining({ message: 'listener bug' })]);
    });
  });

  describe('shutdown', () => {
    it('stops every timer, even while OPEN', async () => {
      await failTimes(breaker, 5);
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      breaker.shutdown();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('leaves no timer behind for a breaker that never opened', () => {
      const idle = createCircuitBreaker();
      idle.shutdown();
      breaker.shutdown();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('rejects later calls with CircuitOpenError (reason shutdown) without running fn', async () => {
      breaker.shutdown();
      breaker.shutdown();
      const fn = vi.fn(ok);
      const error = await breaker.execute(fn).catch((e: unknown) => e);
      expect(fn).not.toHaveBeenCalled();
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect((error as CircuitOpenError).reason).toBe('shutdown');
    });

    it('aborts the signal handed to calls still running', async () => {
      let seen: AbortSignal | undefined;
      const pending = deferred<string>();
      const call = breaker.execute((signal) => {
        seen = signal;
        return pending.promise;
      });
      expect(seen?.aborted).toBe(false);
      breaker.shutdown();
      expect(seen?.aborted).toBe(true);
      expect(seen?.reason).toBeInstanceOf(CircuitOpenError);
      pending.resolve('late');
      await expect(call).resolves.toBe('late');
    });

    it('removes listeners', async () => {
      const onStateChange = vi.fn();
      breaker.onStateChange(onStateChange);
      breaker.shutdown();
      await breaker.execute(ok).catch(() => undefined);
      expect(onStateChange).not.toHaveBeenCalled();
    });
  });

  describe('options', () => {
    it('uses the documented defaults', async () => {
      const defaults = createCircuitBreaker();
      expect(defaults.name).toBe('default');
      await failTimes(defaults, 5);
      expect(defaults.state).toBe('OPEN');
      expect(defaults.stats().msUntilHalfOpen).toBe(60_000);
      defaults.shutdown();
    });

    it('does not mutate the options object', () => {
      const isFailure = (): boolean => true;
      const isIgnored = (): boolean => false;
      const options = { name: 'x', failureThreshold: 3, resetTimeoutMs: 1000, isFailure, isIgnored };
      const copy = { ...options };
      createCircuitBreaker(options).shutdown();
      expect(options).toEqual(copy);
      expect(Object.keys(options)).toEqual(Object.keys(copy));
    });

    it('accepts undefined for every option', () => {
      const b = createCircuitBreaker({
        name: undefined,
        failureThreshold: undefined,
        resetTimeoutMs: undefined,
        isFailure: undefined,
        isIgnored: undefined,
        rejectionStackFrames: undefined,
      });
      expect(b.name).toBe('default');
      b.shutdown();
    });

    it.each([
      [{ name: '' }, 'options.name'],
      [{ name: 42 }, 'options.name'],
      [{ failureThreshold: 0 }, 'options.failureThreshold'],
      [{ failureThreshold: 2.5 }, 'options.failureThreshold'],
      [{ failureThreshold: Number.NaN }, 'options.failureThreshold'],
      [{ failureThreshold: '5' }, 'options.failureThreshold'],
      [{ resetTimeoutMs: 0 }, 'options.resetTimeoutMs'],
      [{ resetTimeoutMs: -1 }, 'options.resetTimeoutMs'],
      [{ resetTimeoutMs: Number.POSITIVE_INFINITY }, 'options.resetTimeoutMs'],
      [{ resetTimeoutMs: 2 ** 31 }, 'options.resetTimeoutMs'],
      [{ isFailure: 'yes' }, 'options.isFailure'],
      [{ isIgnored: true }, 'options.isIgnored'],
      [{ rejectionStackFrames: -1 }, 'options.rejectionStackFrames'],
      [{ rejectionStackFrames: 1.5 }, 'options.rejectionStackFrames'],
      [{ rejectionStackFrames: 101 }, 'options.rejectionStackFrames'],
    ])('rejects %o with a TypeError naming %s', (options, name) => {
      expect(() => createCircuitBreaker(options as never)).toThrow(TypeError);
      expect(() => createCircuitBreaker(options as never)).toThrow(name);
    });

    it('rejects options that are not an object', () => {
      expect(() => createCircuitBreaker(null as never)).toThrow(TypeError);
    });
  });
});
