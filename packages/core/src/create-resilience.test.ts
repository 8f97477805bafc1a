import { createBreakerRegistry, isCircuitOpenError } from '@resilience/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResilience } from './create-resilience.js';
import { createDeadline } from './deadline.js';
import { isAbortedError } from './errors/aborted-error.js';
import { isAttemptTimeoutError } from './errors/attempt-timeout-error.js';
import { isDeadlineExceededError } from './errors/deadline-exceeded-error.js';
import type { GiveUpEvent, ResilienceOptions } from './options.js';

const noJitter = { jitter: 'none', baseDelayMs: 100 } as const;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Settles `promise` while stepping fake timers one by one; returns its value or its error. */
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

function failing(times: number, error: () => unknown = () => new Error('boom')) {
  let calls = 0;
  return vi.fn(async (_signal: AbortSignal, _attempt: number) => {
    calls += 1;
    if (calls <= times) throw error();
    return 'ok';
  });
}

describe('createResilience', () => {
  it('retries an idempotent operation with backoff and passes the attempt number', async () => {
    const call = createResilience({ retry: { retries: 2, ...noJitter }, breaker: false });
    const op = failing(2);
    const started: number[] = [];
    op.mockImplementation(async (_signal, attempt) => {
      started.push(Date.now());
      if (attempt < 3) throw new Error('boom');
      return 'ok';
    });
    expect(await settle(call.run('redis', op, { idempotent: true }))).toEqual({ value: 'ok' });
    expect(op.mock.calls.map((args) => args[1])).toEqual([1, 2, 3]);
    expect(started).toEqual([0, 100, 300]);
    call.close();
  });

  it('does not retry an operation that is not idempotent', async () => {
    const events: GiveUpEvent[] = [];
    const call = createResilience({ breaker: false, onGiveUp: (event) => events.push(event) });
    const op = failing(1);
    const { error } = await settle(call.run('queue', op));
    expect((error as Error).message).toBe('boom');
    expect(op).toHaveBeenCalledTimes(1);
    expect(events[0]).toMatchObject({ reason: 'not-idempotent', attempts: 1 });
  });

  it('gives up at once, without the backoff wait, when the failed attempt opened the breaker', async () => {
    const events: GiveUpEvent[] = [];
    const call = createResilience({
      retry: { retries: 3, ...noJitter },
      breaker: { failureThreshold: 2 },
      onGiveUp: (event) => events.push(event),
    });
    await settle(call.run('db', failing(1)));
    const op = failing(5);
    let error: unknown;
    void call.run('db', op, { idempotent: true }).catch((thrown: unknown) => {
      error = thrown;
    });
    // No timer advance: the give-up must not wait for a backoff.
    await vi.advanceTimersByTimeAsync(0);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('boom');
    expect(op).toHaveBeenCalledTimes(1);
    expect(Date.now()).toBe(0);
    expect(events.at(-1)).toMatchObject({
      reason: 'circuit-open',
      explanation: expect.stringContaining('attempt 1 opened'),
    });
    const refused = await settle(call.run('db', op, { idempotent: true }));
    expect(isCircuitOpenError(refused.error)).toBe(true);
    call.close();
  });

  it("waits the classification's retryAfterMs instead of the backoff, capped by maxRetryAfterMs", async () => {
    const call = createResilience({
      breaker: false,
      retry: { retries: 2, ...noJitter, maxRetryAfterMs: 1_500 },
      classify: () => ({ retryable: true, breaker: 'failure', retryAfterMs: 5_000 }),
    });
    const started: number[] = [];
    const op = vi.fn(async (_signal: AbortSignal, attempt: number) => {
      started.push(Date.now());
      if (attempt === 1) throw new Error('429');
      return 'ok';
    });
    await settle(call.run('api', op, { idempotent: true }));
    expect(started).toEqual([0, 1_500]);
  });

  it('aborts a slow attempt at attemptTimeoutMs and retries it', async () => {
    const call = createResilience({
      breaker: false,
      attemptTimeoutMs: 50,
      retry: { retries: 1, ...noJitter },
    });
    const signals: AbortSignal[] = [];
    const op = vi.fn((signal: AbortSignal, attempt: number) => {
      signals.push(signal);
      return attempt === 1 ? new Promise<string>(() => {}) : Promise.resolve('second');
    });
    expect(await settle(call.run('api', op, { idempotent: true }))).toEqual({ value: 'second' });
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
  });

  it('throws AttemptTimeoutError when the last attempt times out', async () => {
    const call = createResilience({ breaker: false, attemptTimeoutMs: 50 });
    const { error } = await settle(call.run('api', () => new Promise(() => {})));
    expect(isAttemptTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_ATTEMPT_TIMEOUT', key: 'api', attempts: 1, timeoutMs: 50 });
  });

  it('shares one deadline: an attempt gets at most what is left, and a wait that does not fit is not made', async () => {
    const deadline = createDeadline(250);
    const events: GiveUpEvent[] = [];
    const call = createResilience({
      breaker: false,
      attemptTimeoutMs: 10_000,
      retry: { retries: 5, jitter: 'none', baseDelayMs: 200 },
      onGiveUp: (event) => events.push(event),
    });
    vi.advanceTimersByTime(100);
    const { error } = await settle(call.run('api', failing(9), { idempotent: true, deadline }));
    expect((error as Error).message).toBe('boom');
    expect(events[0]).toMatchObject({ reason: 'backoff-exceeds-deadline' });
    expect(events[0]?.explanation).toContain('wait of 200 ms does not fit the 150 ms left');
    expect(Date.now()).toBe(100);
  });

  it('throws DeadlineExceededError when the deadline passes during an attempt, and the breaker ignores the attempt', async () => {
    const registry = createBreakerRegistry({ failureThreshold: 1 });
    const call = createResilience({ breaker: registry });
    const { error } = await settle(call.run('api', () => new Promise(() => {}), { deadlineMs: 80 }));
    expect(isDeadlineExceededError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_DEADLINE_EXCEEDED', deadlineMs: 80, attempts: 1 });
    expect(registry.get('api').state).toBe('CLOSED');
    expect(registry.get('api').stats().ignored).toBe(1);
    call.close();
    expect(registry.get('api').state).toBe('CLOSED');
    registry.shutdown();
  });

  it("throws AbortedError with the signal's reason when the caller aborts", async () => {
    const controller = new AbortController();
    const call = createResilience({ breaker: false });
    const pending = settle(call.run('api', () => new Promise(() => {}), { signal: controller.signal }));
    controller.abort('user left');
    const { error } = await pending;
    expect(isAbortedError(error)).toBe(true);
    expect((error as Error).cause).toBe('user left');
  });

  it("lets classify say an error is a sign of life: the breaker's count resets", async () => {
    const call = createResilience({
      breaker: { failureThreshold: 2 },
      classify: (error) => ({
        retryable: false,
        breaker: (error as Error).message === '404' ? 'success' : 'failure',
      }),
    });
    await settle(call.run('api', failing(1)));
    await settle(
      call.run(
        'api',
        failing(1, () => new Error('404')),
      ),
    );
    await settle(call.run('api', failing(1)));
    expect(call.breakers?.get('api').state).toBe('CLOSED');
    call.close();
  });

  it('throws the error classify substitutes', async () => {
    const typed = new Error('typed');
    const call = createResilience({
      breaker: false,
      classify: () => ({ retryable: false, breaker: 'failure', error: typed }),
    });
    expect((await settle(call.run('api', failing(1)))).error).toBe(typed);
  });

  it('stops retrying when the retry budget refuses', async () => {
    const events: GiveUpEvent[] = [];
    const call = createResilience({
      breaker: false,
      retry: { retries: 5, ...noJitter },
      retryBudget: { ratio: 0, minRetriesPerWindow: 1 },
      onGiveUp: (event) => events.push(event),
    });
    const op = failing(9);
    await settle(call.run('api', op, { idempotent: true }));
    expect(op).toHaveBeenCalledTimes(2);
    expect(events[0]?.reason).toBe('retry-budget-exhausted');
  });

  it('rejects bad options with a TypeError naming the option, without mutating them', () => {
    const options: ResilienceOptions = { retry: { retries: 1 } };
    const copy = structuredClone(options);
    createResilience(options).close();
    expect(options).toEqual(copy);
    expect(() => createResilience({ retry: { retries: -1 } })).toThrow(
      'options.retry.retries must be an integer between 0 and 100',
    );
    expect(() => createResilience({ attemptTimeoutMs: 0 })).toThrow('options.attemptTimeoutMs');
    expect(() => createResilience({ retry: { jitter: 'some' as never } })).toThrow('options.retry.jitter');
    expect(() => createResilience({ retryBudget: { ratio: 2 } })).toThrow('options.retryBudget.ratio');
  });
});

describe('createDeadline', () => {
  it('measures on its clock and aborts its signal when it passes', () => {
    const deadline = createDeadline(1_000);
    expect(deadline.at).toBe(1_000);
    vi.advanceTimersByTime(400);
    expect(deadline.remainingMs()).toBe(600);
    const { signal } = deadline;
    vi.advanceTimersByTime(599);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect(deadline.expired()).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
  });

  it('uses an injected clock', () => {
    let now = 5_000;
    const deadline = createDeadline(100, { now: () => now });
    now = 5_060;
    expect(deadline.remainingMs()).toBe(40);
  });

  it('rejects a negative budget', () => {
    expect(() => createDeadline(-1)).toThrow(TypeError);
  });
});
