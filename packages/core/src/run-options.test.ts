import { createBreakerRegistry, isCircuitOpenError } from '@resilience/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResilience } from './create-resilience.js';
import { createDeadline } from './deadline.js';
import type { AttemptEvent, GiveUpEvent, RetryEvent } from './options.js';

const noJitter = { jitter: 'none', baseDelayMs: 100 } as const;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let result: { value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => {
      result = { value };
    },
    (error: unknown) => {
      result = { error };
    },
  );
  await vi.advanceTimersByTimeAsync(0);
  for (let step = 0; result === undefined && step < 1_000; step += 1)
    await vi.advanceTimersToNextTimerAsync();
  if (result === undefined) throw new Error('the call never settled');
  return result;
}

/** An operation that settles only once its signal aborts, 1 s after it (a slow adapter's clean-up). */
function settlingOnAbort(log: string[]) {
  return (signal: AbortSignal): Promise<string> =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        log.push('aborted');
        setTimeout(() => reject(new Error('the adapter saw the abort')), 1_000);
      });
    });
}

describe('run options', () => {
  it('calls the per-call hooks for each attempt, retry and the give-up, beside the instance hooks', async () => {
    const instanceRetries: RetryEvent[] = [];
    const call = createResilience({
      retry: { retries: 1, ...noJitter },
      breaker: false,
      onRetry: (event) => instanceRetries.push(event),
    });
    const attempts: AttemptEvent[] = [];
    const retries: RetryEvent[] = [];
    const giveUps: GiveUpEvent[] = [];
    const hooks = {
      onAttempt: (event: AttemptEvent) => attempts.push(event),
      onRetry: (event: RetryEvent) => retries.push(event),
      onGiveUp: (event: GiveUpEvent) => giveUps.push(event),
    };
    const op = vi.fn(async () => {
      throw new Error('boom');
    });
    const classify = () => ({ retryable: true, breaker: 'failure', retryAfterMs: 50, reason: 'E' }) as const;
    const { error } = await settle(call.run('redis', op, { idempotent: true, hooks, classify }));
    expect((error as Error).message).toBe('boom');
    expect(attempts.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'failure'],
      [2, 'failure'],
    ]);
    expect(retries).toEqual([
      { key: 'redis', attempt: 1, delayMs: 50, error, reason: 'E', retryAfterMs: 50 },
    ]);
    expect(instanceRetries).toEqual(retries);
    expect(giveUps.map((e) => [e.reason, e.attempts])).toEqual([['retries-exhausted', 2]]);
    call.close();
  });

  it('reports a breaker rejection as a rejected attempt', async () => {
    const breakers = createBreakerRegistry({ failureThreshold: 1 });
    const call = createResilience({ breaker: breakers });
    const attempts: AttemptEvent[] = [];
    const hooks = { onAttempt: (event: AttemptEvent) => attempts.push(event) };
    await settle(call.run('redis', async () => Promise.reject(new Error('boom')), { hooks }));
    const { error } = await settle(call.run('redis', async () => 'never', { hooks }));
    expect(isCircuitOpenError(error)).toBe(true);
    expect(attempts.map((e) => e.outcome)).toEqual(['failure', 'rejected']);
    breakers.shutdown();
  });

  it('builds its timeout and cancellation errors with the given builders', async () => {
    const call = createResilience({ breaker: false, attemptTimeoutMs: 100 });
    const errors = {
      attemptTimeout: (attempt: number, ms: number) => new Error(`timeout ${attempt} ${ms}`),
      deadlineExceeded: (attempts: number, ms: number) => new Error(`deadline ${attempts} ${ms}`),
      aborted: (attempts: number) => new Error(`aborted ${attempts}`),
    };
    const never = (): Promise<string> => new Promise(() => {});
    expect((await settle(call.run('k', never, { errors }))).error).toEqual(new Error('timeout 1 100'));
    expect((await settle(call.run('k', never, { errors, deadlineMs: 50 }))).error).toEqual(
      new Error('deadline 1 50'),
    );
    const controller = new AbortController();
    controller.abort();
    expect((await settle(call.run('k', never, { errors, signal: controller.signal }))).error).toEqual(
      new Error('aborted 0'),
    );
    call.close();
  });

  it('names the wait that does not fit the deadline', async () => {
    const call = createResilience({ retry: { retries: 3, ...noJitter }, breaker: false });
    const giveUps: GiveUpEvent[] = [];
    const hooks = { onGiveUp: (event: GiveUpEvent) => giveUps.push(event) };
    const op = async () => Promise.reject(new Error('boom'));
    const hinted = () => ({ retryable: true, breaker: 'failure', retryAfterMs: 500 }) as const;
    await settle(call.run('k', op, { idempotent: true, deadlineMs: 300, hooks, classify: hinted }));
    await settle(call.run('k', op, { idempotent: true, deadlineMs: 50, hooks }));
    expect(giveUps.map((e) => e.reason)).toEqual([
      'retry-after-exceeds-deadline',
      'backoff-exceeds-deadline',
    ]);
    call.close();
  });

  it('with settlesOnAbort, waits for the aborted operation to settle before timing it out', async () => {
    const call = createResilience({ breaker: false, attemptTimeoutMs: 100 });
    const log: string[] = [];
    const timedOut = call.run('k', settlingOnAbort(log), { settlesOnAbort: true });
    const { error } = await settle(timedOut);
    expect(Date.now()).toBe(1_100);
    expect(log).toEqual(['aborted']);
    expect((error as Error).name).toBe('AttemptTimeoutError');

    const controller = new AbortController();
    const cancelled = settle(
      call.run('k', settlingOnAbort(log), { settlesOnAbort: true, signal: controller.signal }),
    );
    controller.abort(new Error('stop'));
    expect((await cancelled).error).toMatchObject({ name: 'AbortedError' });
    expect(Date.now()).toBe(2_100);
    expect(log).toEqual(['aborted', 'aborted']);
    call.close();
  });

  it('gives up on an already aborted signal before counting the call', async () => {
    const call = createResilience({ breaker: false });
    const giveUps: GiveUpEvent[] = [];
    const controller = new AbortController();
    controller.abort();
    const op = vi.fn(async () => 'ok');
    await settle(
      call.run('k', op, { signal: controller.signal, hooks: { onGiveUp: (e) => giveUps.push(e) } }),
    );
    expect(op).not.toHaveBeenCalled();
    expect(giveUps).toMatchObject([
      { reason: 'aborted', attempts: 0, explanation: 'the signal was already aborted' },
    ]);
    call.close();
  });
});

describe('a shared deadline', () => {
  it('cuts the call on the deadline’s own timers (a manual clock drives both)', async () => {
    let now = 0;
    const due: Array<() => void> = [];
    const timers = {
      setTimeout: (callback: () => void) => due.push(callback),
      clearTimeout: () => {},
    };
    const deadline = createDeadline(1_000, { now: () => now, timers });
    const call = createResilience({ breaker: false, now: () => now });
    let seen: AbortSignal | undefined;
    const result = call.run(
      'k',
      (signal) => {
        seen = signal;
        return new Promise<string>(() => {});
      },
      { deadline },
    );
    now = 1_000;
    for (const fire of due) fire();
    await expect(result).rejects.toMatchObject({ name: 'DeadlineExceededError', deadlineMs: 1_000 });
    expect(seen?.aborted).toBe(true);
    call.close();
  });
});

describe('a limiter per call', () => {
  function recordingLimiter(log: string[], refuse = false) {
    return {
      acquire: async () => {
        if (refuse) throw Object.assign(new Error('limit'), { code: 'ERR_CONCURRENCY_LIMIT' });
        log.push('acquire');
        return {
          success: (rttMs: number) => log.push(`success ${rttMs}`),
          dropped: () => log.push('dropped'),
          ignore: () => log.push('ignore'),
        };
      },
    };
  }

  it('takes a token per attempt and reports success with its rtt, a timeout as dropped, a failure as ignored', async () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const call = createResilience({
      breaker: false,
      attemptTimeoutMs: 100,
      retry: { retries: 2, ...noJitter },
    });
    const log: string[] = [];
    let n = 0;
    const op = (signal: AbortSignal) =>
      new Promise<string>((resolve, reject) => {
        n += 1;
        if (n === 1) return; // times out
        if (n === 2) reject(new Error('boom'));
        else setTimeout(() => resolve('ok'), 30);
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    const result = await settle(call.run('k', op, { idempotent: true, limiter: recordingLimiter(log) }));
    expect(result).toEqual({ value: 'ok' });
    expect(log).toEqual(['acquire', 'dropped', 'acquire', 'ignore', 'acquire', 'success 30']);
    call.close();
  });

  it('fails the attempt with the limiter’s error when it refuses, classified like any other', async () => {
    const call = createResilience({ breaker: false });
    const op = vi.fn(async () => 'ok');
    const classify = () => ({ retryable: false, breaker: 'ignore' }) as const;
    const { error } = await settle(call.run('k', op, { limiter: recordingLimiter([], true), classify }));
    expect(error).toMatchObject({ code: 'ERR_CONCURRENCY_LIMIT' });
    expect(op).not.toHaveBeenCalled();
    call.close();
  });
});
