import { runWithRequestContext } from '@resilience/logging';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  callWithProtection,
  createProtection,
  type Protection,
  type RetryEvent,
} from '../src/index.js';
import { advancingOnRetry, useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';

let protection: Protection | undefined;

afterEach(() => {
  protection?.close();
  protection = undefined;
  vi.useRealTimers();
});

describe('callWithProtection argument checks', () => {
  const fn = async (): Promise<number> => 1;

  it.each([
    ['fn', 'not a function', { key: 'k' }, 'fn must be a function, got "not a function"'],
    ['options', fn, null, 'options must be an object with a key, got null'],
    ['options', fn, 'k', 'options must be an object with a key, got "k"'],
    ['key', fn, {}, 'option key must be a non-empty string, got undefined'],
    ['key', fn, { key: 7 }, 'option key must be a non-empty string, got 7'],
    ['key', fn, { key: '' }, 'option key must be a non-empty string, got ""'],
    ['timeoutMs', fn, { key: 'k', timeoutMs: 0 }, 'option timeoutMs must be a number > 0, got 0'],
    ['timeoutMs', fn, { key: 'k', timeoutMs: -1 }, 'option timeoutMs must be a number > 0, got -1'],
    ['timeoutMs', fn, { key: 'k', timeoutMs: Number.NaN }, 'option timeoutMs must be a number > 0, got NaN'],
    ['timeoutMs', fn, { key: 'k', timeoutMs: '5' }, 'option timeoutMs must be a number > 0, got "5"'],
    ['deadlineMs', fn, { key: 'k', deadlineMs: 0 }, 'option deadlineMs must be a number > 0, got 0'],
    [
      'deadlineMs',
      fn,
      { key: 'k', deadlineMs: Number.POSITIVE_INFINITY },
      'option deadlineMs must be a number > 0, got Infinity',
    ],
    ['retries', fn, { key: 'k', retries: -1 }, 'option retries must be an integer >= 0, got -1'],
    ['retries', fn, { key: 'k', retries: 1.5 }, 'option retries must be an integer >= 0, got 1.5'],
  ])('rejects a bad %s with a TypeError naming it', async (_name, callFn, options, message) => {
    const error = await callWithProtection(callFn as never, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(message);
  });

  it('accepts the smallest valid values: retries 0, a 1 ms timeout and deadline', async () => {
    // On fake time: a 1 ms deadline on the real clock is a margin a busy machine does not keep.
    useFakeTime();
    protection = createProtection({ logger: captureLogs().logger });
    await expect(
      callWithProtection(fn, { key: 'k', protection, retries: 0, timeoutMs: 1, deadlineMs: 1 }),
    ).resolves.toBe(1);
  });
});

describe('what callWithProtection reports about a failure', () => {
  function failingWith(thrown: unknown): Promise<RetryEvent[]> {
    useFakeTime();
    const retries: RetryEvent[] = [];
    protection = createProtection({
      retry: { jitter: 'none', retries: 1 },
      logger: captureLogs().logger,
      hooks: { onRetry: advancingOnRetry(retries) },
    });
    return callWithProtection(
      async () => {
        throw thrown;
      },
      { key: 'dep', protection },
    ).then(
      () => retries,
      () => retries,
    );
  }

  it("names the reason by the error's string code", async () => {
    expect((await failingWith(Object.assign(new Error('x'), { code: 'ECONNRESET' })))[0]?.reason).toBe(
      'ECONNRESET',
    );
  });

  it('names it by the code of a thrown plain object', async () => {
    expect((await failingWith({ code: 'E_SDK' }))[0]?.reason).toBe('E_SDK');
  });

  it("names it by the error's name when it has no string code", async () => {
    expect((await failingWith(Object.assign(new RangeError('x'), { code: 42 })))[0]?.reason).toBe(
      'RangeError',
    );
  });

  it('names it by the type of a thrown primitive', async () => {
    expect((await failingWith('plain string'))[0]?.reason).toBe('string');
    expect((await failingWith(null))[0]?.reason).toBe('object');
  });
});

describe('breaker verdicts of callWithProtection', () => {
  it('keeps a typed cancellation from inside fn neutral for the breaker: it neither counts nor resets', async () => {
    protection = createProtection({ retry: false, logger: captureLogs().logger });
    const fail = (): Promise<never> => Promise.reject(new Error('down'));
    const cancelled = (): Promise<never> =>
      Promise.reject(new AbortError({ method: 'GET', url: 'http://x.test/', attempts: 1, requestId: 'r' }));
    for (let i = 0; i < 4; i += 1) await callWithProtection(fail, { key: 'dep', protection }).catch(() => 0);
    await callWithProtection(cancelled, { key: 'dep', protection }).catch(() => 0);
    expect(protection.breakers?.get('dep').state).toBe('CLOSED');
    await callWithProtection(fail, { key: 'dep', protection }).catch(() => 0);
    expect(protection.breakers?.get('dep').state).toBe('OPEN');
  });

  it('lets isFailure decide about a typed cancellation when the caller gives one', async () => {
    protection = createProtection({ retry: false, logger: captureLogs().logger });
    const cancelled = (): Promise<never> =>
      Promise.reject(new AbortError({ method: 'GET', url: 'http://x.test/', attempts: 1, requestId: 'r' }));
    for (let i = 0; i < 5; i += 1) {
      await callWithProtection(cancelled, { key: 'dep', protection, isFailure: () => true }).catch(() => 0);
    }
    expect(protection.breakers?.get('dep').state).toBe('OPEN');
  });
});

describe('breaker state changes in the log', () => {
  it('logs opened at warn, half-open and closed at info, each with the upstream and both states', async () => {
    useFakeTime();
    const logs = captureLogs();
    protection = createProtection({
      retry: false,
      breaker: { failureThreshold: 1, resetTimeoutMs: 1000 },
      logger: logs.logger,
    });
    await callWithProtection(() => Promise.reject(new Error('down')), { key: 'dep', protection }).catch(
      () => 0,
    );
    await vi.advanceTimersByTimeAsync(1000);
    await callWithProtection(async () => 1, { key: 'dep', protection });
    const transitions = logs.lines
      .filter((line) => String(line.msg).startsWith('circuit breaker'))
      .map((line) => [line.level, line.msg, line.upstream, line.from, line.to]);
    expect(transitions).toEqual([
      ['warn', 'circuit breaker opened', 'dep', 'CLOSED', 'OPEN'],
      ['info', 'circuit breaker half-open', 'dep', 'OPEN', 'HALF_OPEN'],
      ['info', 'circuit breaker closed', 'dep', 'HALF_OPEN', 'CLOSED'],
    ]);
  });
});

describe('request ids on breaker log lines', () => {
  // Real timers: fake ones would run the reset timer outside every request context and hide the bug.
  it("carries the opener's id on 'opened', none on 'half-open' (a timer), the trial's on 'closed'", async () => {
    const logs = captureLogs();
    protection = createProtection({
      retry: false,
      breaker: { failureThreshold: 1, resetTimeoutMs: 1 },
      logger: logs.logger,
    });
    const halfOpen = new Promise<void>((resolve) => {
      protection?.breakers?.onStateChange(({ to }) => {
        if (to === 'HALF_OPEN') resolve();
      });
    });
    await runWithRequestContext('req-opener', () =>
      callWithProtection(() => Promise.reject(new Error('down')), { key: 'dep', protection }).catch(() => 0),
    );
    await halfOpen;
    await runWithRequestContext('req-trial', () =>
      callWithProtection(async () => 1, { key: 'dep', protection }),
    );
    const transitions = logs.lines
      .filter((line) => String(line.msg).startsWith('circuit breaker'))
      .map((line) => [line.msg, line.requestId]);
    expect(transitions).toEqual([
      ['circuit breaker opened', 'req-opener'],
      ['circuit breaker half-open', undefined],
      ['circuit breaker closed', 'req-trial'],
    ]);
  });
});
