import { getEventListeners } from 'node:events';
import { isCircuitOpenError } from '@resilience/circuit-breaker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAbortError } from './errors/abort-error.js';
import { isDeadlineExceededError } from './errors/deadline-exceeded-error.js';
import { HttpStatusError } from './errors/http-status-error.js';
import { isTimeoutError, TimeoutError } from './errors/timeout-error.js';
import type { AttemptEvent, GiveUpEvent, RetryEvent } from './hooks.js';
import type { ProtectionOptions } from './options.js';
import { createProtection, type ProtectedCallContext, type Protection } from './protection.js';

interface LogLine {
  readonly level: 'warn' | 'info' | 'debug';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A protection on fake time that records its log lines and hook events. */
function harness(options: ProtectionOptions = {}) {
  const logs: LogLine[] = [];
  const attempts: AttemptEvent[] = [];
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  const line =
    (level: LogLine['level']) =>
    (fields: object, message: string): void => {
      logs.push({ level, fields: fields as Record<string, unknown>, message });
    };
  const protection = createProtection({
    retry: { jitter: 'none' },
    logger: { warn: line('warn'), info: line('info'), debug: line('debug') },
    hooks: {
      onAttempt: (event) => attempts.push(event),
      onRetry: (event) => retries.push(event),
      onGiveUp: (event) => giveUps.push(event),
    },
    ...options,
  });
  return { protection, logs, attempts, retries, giveUps };
}

/** Settles `promise` into its value or error, so a rejection is never unhandled while time moves. */
function settle<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.catch((error: unknown) => error);
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

class Busy extends Error {
  code = 'EBUSY';
}

function status(code: number, retryAfterMs?: number): HttpStatusError {
  return new HttpStatusError({
    method: 'GET',
    url: 'http://inventory/items',
    attempts: 1,
    status: code,
    body: '',
    headers: {},
    retryAfterMs,
  });
}

describe('executeWithPolicy through a protection', () => {
  const open: Protection[] = [];
  function make(options: ProtectionOptions = {}) {
    const h = harness(options);
    open.push(h.protection);
    return h;
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    for (const p of open.splice(0)) p.close();
    vi.useRealTimers();
  });

  describe('giving up when attempts run out', () => {
    it('says how many attempts were allowed, in the message, the log and the hook', async () => {
      const { protection, logs, giveUps } = make({ timeoutMs: 100, retry: { jitter: 'none', retries: 1 } });
      const result = settle(protection.call(never, { key: 'redis' }));
      await vi.advanceTimersByTimeAsync(100 + 1000 + 100);
      const error = await result;
      expect(isTimeoutError(error)).toBe(true);
      expect((error as Error).message).toBe(
        'CALL redis timed out after 100 ms; gave up after 2 attempts: the limit of 2 attempts is reached',
      );
      expect(error).toMatchObject({ attempts: 2, giveUpReason: 'retries-exhausted' });
      expect(logs.filter((l) => l.message === 'giving up on outbound call')).toEqual([
        {
          level: 'warn',
          message: 'giving up on outbound call',
          fields: {
            requestId: undefined,
            method: 'CALL',
            url: 'redis',
            attempts: 2,
            giveUpReason: 'retries-exhausted',
            detail: 'the limit of 2 attempts is reached',
          },
        },
      ]);
      expect(giveUps).toEqual([
        {
          method: 'CALL',
          url: 'redis',
          upstream: 'redis',
          requestId: undefined,
          attempts: 2,
          reason: 'retries-exhausted',
          error,
        },
      ]);
    });

    it('speaks of one attempt in the singular', async () => {
      const { protection } = make({ timeoutMs: 100 });
      const result = settle(protection.call(never, { key: 'redis', retries: 0 }));
      await vi.advanceTimersByTimeAsync(100);
      expect(((await result) as Error).message).toBe(
        'CALL redis timed out after 100 ms; gave up after 1 attempt: the limit of 1 attempt is reached',
      );
    });

    it('reports the attempts made for an error of the caller, which it rethrows untouched', async () => {
      const { protection, giveUps, logs } = make({ retry: { jitter: 'none', retries: 2 } });
      const failure = new Busy('busy');
      const result = settle(
        protection.call(
          async () => {
            throw failure;
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1000 + 2000);
      expect(await result).toBe(failure);
      expect(failure.message).toBe('busy');
      expect(giveUps.map((e) => [e.attempts, e.reason])).toEqual([[3, 'retries-exhausted']]);
      expect(logs.find((l) => l.message === 'giving up on outbound call')?.fields.attempts).toBe(3);
    });

    it('retries a function that throws instead of rejecting', async () => {
      const { protection } = make({ retry: { jitter: 'none', retries: 1 } });
      let calls = 0;
      const result = settle(
        protection.call(
          () => {
            calls += 1;
            throw new Busy('sync');
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1000);
      expect(await result).toMatchObject({ message: 'sync' });
      expect(calls).toBe(2);
    });
  });

  describe('giving up on what is not retried', () => {
    it('names the status that is not retried and logs at debug level', async () => {
      const { protection, logs, giveUps } = make();
      const error = await settle(
        protection.call(
          async () => {
            throw status(404);
          },
          { key: 'inventory' },
        ),
      );
      expect((error as Error).message).toBe(
        'GET http://inventory/items failed with status 404; gave up after 1 attempt: 404 is not retried',
      );
      expect(logs.map((l) => [l.level, l.message, l.fields.detail])).toEqual([
        ['debug', 'outbound call failed', '404 is not retried'],
      ]);
      expect(giveUps.map((e) => e.reason)).toEqual(['not-retryable']);
    });

    it('names the code of an error the caller refuses to retry', async () => {
      const { protection, logs } = make();
      await settle(
        protection.call(
          async () => {
            throw new Busy('busy');
          },
          { key: 'redis', isRetryable: () => false },
        ),
      );
      expect(logs.map((l) => l.fields.detail)).toEqual(['EBUSY is not retried']);
    });

    it('says the call is not idempotent and warns', async () => {
      const { protection, logs } = make();
      let calls = 0;
      await settle(
        protection.call(
          async () => {
            calls += 1;
            throw new Busy('busy');
          },
          { key: 'redis', idempotent: false },
        ),
      );
      expect(calls).toBe(1);
      expect(logs.map((l) => [l.level, l.fields.giveUpReason, l.fields.detail])).toEqual([
        ['warn', 'not-idempotent', 'the call is not idempotent'],
      ]);
    });

    it('does not run fn while the breaker is open, and logs the rejection at debug level', async () => {
      const { protection, logs, attempts, giveUps } = make({
        breaker: { failureThreshold: 1 },
        retry: { jitter: 'none', retries: 0 },
      });
      await settle(
        protection.call(
          async () => {
            throw new Busy('busy');
          },
          { key: 'redis' },
        ),
      );
      let calls = 0;
      const error = await settle(
        protection.call(
          async () => {
            calls += 1;
            return 'value';
          },
          { key: 'redis' },
        ),
      );
      expect(calls).toBe(0);
      expect(isCircuitOpenError(error)).toBe(true);
      expect(attempts.map((a) => a.outcome)).toEqual(['failure', 'rejected']);
      expect(giveUps.map((e) => [e.reason, e.attempts])).toEqual([
        ['retries-exhausted', 1],
        ['circuit-open', 1],
      ]);
      const last = logs.filter((l) => l.message !== 'circuit breaker opened').at(-1);
      expect(last).toMatchObject({
        level: 'debug',
        message: 'outbound call failed',
        fields: { giveUpReason: 'circuit-open', detail: 'the circuit breaker for redis is open' },
      });
    });
  });

  describe('the deadline and the next wait', () => {
    it('gives up when the backoff is exactly the time left, naming both', async () => {
      const { protection, logs, giveUps } = make({ deadlineMs: 1000, breaker: false });
      await settle(
        protection.call(
          async () => {
            throw new Busy('busy');
          },
          { key: 'redis' },
        ),
      );
      expect(giveUps.map((e) => e.reason)).toEqual(['backoff-exceeds-deadline']);
      expect(logs.map((l) => [l.level, l.fields.detail])).toEqual([
        ['warn', 'the backoff wait of 1000 ms does not fit the 1000 ms left before the deadline'],
      ]);
    });

    it('retries when the backoff ends 1 ms before the deadline', async () => {
      const { protection, retries } = make({ deadlineMs: 1001, breaker: false });
      const result = settle(
        protection.call(
          async ({ attempt }) => {
            if (attempt === 1) throw new Busy('busy');
            return 'second';
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1000);
      expect(await result).toBe('second');
      expect(retries.map((r) => r.delayMs)).toEqual([1000]);
    });

    it('gives up when a Retry-After wait is exactly the time left', async () => {
      const { protection, logs, giveUps } = make({ deadlineMs: 500, breaker: false });
      const error = await settle(
        protection.call(
          async () => {
            throw status(503, 500);
          },
          { key: 'inventory' },
        ),
      );
      expect(giveUps.map((e) => e.reason)).toEqual(['retry-after-exceeds-deadline']);
      expect((error as Error).message).toBe(
        'GET http://inventory/items failed with status 503; gave up after 1 attempt: ' +
          'Retry-After wait of 500 ms does not fit the 500 ms left before the deadline',
      );
      expect(logs).toHaveLength(1);
    });

    it('says 0 ms are left when the clock is already past the deadline', async () => {
      let clock = 0;
      const { protection, logs } = make({ deadlineMs: 1000, breaker: false, now: () => clock });
      await settle(
        protection.call(
          async () => {
            clock = 5000;
            throw new Busy('busy');
          },
          { key: 'redis' },
        ),
      );
      expect(logs.map((l) => l.fields.detail)).toEqual([
        'the backoff wait of 1000 ms does not fit the 0 ms left before the deadline',
      ]);
    });

    it('waits no longer than retry.maxRetryAfterMs and reports the wait asked for', async () => {
      const { protection, retries, logs } = make({ retry: { jitter: 'none', maxRetryAfterMs: 200 } });
      const result = settle(
        protection.call(
          async ({ attempt }) => {
            if (attempt === 1) throw status(429, 5000);
            return 'ok';
          },
          { key: 'inventory' },
        ),
      );
      await vi.advanceTimersByTimeAsync(199);
      expect(retries).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await result).toBe('ok');
      expect(retries.map((r) => [r.attempt, r.delayMs, r.retryAfterMs, r.reason])).toEqual([
        [1, 200, 5000, '429'],
      ]);
      expect(logs).toEqual([
        {
          level: 'warn',
          message: 'retrying outbound call',
          fields: {
            requestId: undefined,
            method: 'CALL',
            url: 'inventory',
            attempt: 1,
            delayMs: 200,
            reason: '429',
            retryAfterMs: 5000,
          },
        },
      ]);
    });

    it('logs a retry without retryAfterMs when the upstream asked for no wait', async () => {
      const { protection, logs, retries } = make();
      const result = settle(
        protection.call(
          async ({ attempt }) => {
            if (attempt === 1) throw new Busy('busy');
            return 'ok';
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1000);
      await result;
      expect(logs.map((l) => l.fields)).toEqual([
        { requestId: undefined, method: 'CALL', url: 'redis', attempt: 1, delayMs: 1000, reason: 'EBUSY' },
      ]);
      expect(retries[0]).toMatchObject({ upstream: 'redis', retryAfterMs: undefined, reason: 'EBUSY' });
    });
  });

  describe('the retry budget', () => {
    it('names the counts when it refuses a retry', async () => {
      const { protection, logs } = make({ retryBudget: { ratio: 0, minRetriesPerWindow: 1 } });
      const failing = async (): Promise<never> => {
        throw new Busy('busy');
      };
      const first = settle(protection.call(failing, { key: 'redis', retries: 1 }));
      await vi.advanceTimersByTimeAsync(1000);
      await first;
      await settle(protection.call(failing, { key: 'redis', retries: 1 }));
      expect(
        logs.filter((l) => l.message === 'giving up on outbound call').map((l) => l.fields.detail),
      ).toEqual([
        'the limit of 2 attempts is reached',
        'the retry budget refused the retry (1 retries for 2 calls in the window)',
      ]);
    });
  });

  describe('cancellation by the caller', () => {
    it('rejects at once, without running fn, when the signal is already aborted', async () => {
      const { protection, logs, giveUps, attempts } = make();
      const controller = new AbortController();
      const reason = new Error('shutting down');
      controller.abort(reason);
      let calls = 0;
      const error = await settle(
        protection.call(
          async () => {
            calls += 1;
          },
          { key: 'redis', signal: controller.signal },
        ),
      );
      expect(calls).toBe(0);
      expect(attempts).toEqual([]);
      expect(isAbortError(error)).toBe(true);
      expect((error as Error).message).toBe(
        'CALL redis was aborted by the caller; gave up after 0 attempts: the signal was already aborted',
      );
      expect(error).toMatchObject({ attempts: 0, giveUpReason: 'aborted', cause: reason });
      expect(logs.map((l) => [l.level, l.message])).toEqual([['debug', 'outbound call failed']]);
      expect(giveUps.map((e) => [e.reason, e.attempts])).toEqual([['aborted', 0]]);
    });

    it("aborts the attempt in flight with the caller's reason", async () => {
      const { protection, attempts, logs } = make({ breaker: false });
      const controller = new AbortController();
      let seen: AbortSignal | undefined;
      const result = settle(
        protection.call(
          ({ signal }: ProtectedCallContext) => {
            seen = signal;
            return never();
          },
          { key: 'redis', signal: controller.signal },
        ),
      );
      await vi.advanceTimersByTimeAsync(10);
      const reason = new Error('user left');
      controller.abort(reason);
      const error = await result;
      expect(seen?.aborted).toBe(true);
      expect(seen?.reason).toBe(reason);
      expect(isAbortError(error)).toBe(true);
      expect(error).toMatchObject({ attempts: 1, giveUpReason: 'aborted', cause: reason });
      expect((error as Error).message).toBe(
        'CALL redis was aborted by the caller; gave up after 1 attempt: the caller aborted the call',
      );
      expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'cancelled']]);
      expect(logs.map((l) => l.level)).toEqual(['debug']);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('cancels the backoff wait: no further attempt, the last failure as cause, no timer left', async () => {
      const { protection, giveUps } = make({ breaker: false });
      const controller = new AbortController();
      let calls = 0;
      const failure = new Busy('busy');
      const result = settle(
        protection.call(
          async () => {
            calls += 1;
            throw failure;
          },
          { key: 'redis', signal: controller.signal },
        ),
      );
      await vi.advanceTimersByTimeAsync(500);
      expect(vi.getTimerCount()).toBe(1);
      controller.abort();
      const error = await result;
      expect(calls).toBe(1);
      expect(isAbortError(error)).toBe(true);
      expect(error).toMatchObject({ attempts: 1, cause: failure });
      expect((error as Error).message).toBe(
        'CALL redis was aborted by the caller; gave up after 1 attempt: cancelled while waiting to retry',
      );
      expect(giveUps.map((e) => e.reason)).toEqual(['aborted']);
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toBe(1);
    });

    it("removes its listener from the caller's signal once the call settles", async () => {
      const { protection } = make({ breaker: false });
      const signal = new AbortController().signal;
      await protection.call(async () => 'ok', { key: 'redis', signal });
      await settle(
        protection.call(
          async () => {
            throw new Busy('busy');
          },
          { key: 'redis', signal, retries: 0 },
        ),
      );
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    });
  });

  describe('the deadline', () => {
    it('cuts the attempt in flight, aborting its signal, and names the attempt', async () => {
      const { protection, logs, attempts } = make({ deadlineMs: 500, breaker: false });
      let seen: AbortSignal | undefined;
      const result = settle(
        protection.call(
          ({ signal }: ProtectedCallContext) => {
            seen = signal;
            return never();
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(499);
      expect(seen?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await result;
      expect(isDeadlineExceededError(error)).toBe(true);
      expect(error).toMatchObject({ deadlineMs: 500, attempts: 1, giveUpReason: 'deadline-exceeded' });
      expect((error as Error).message).toBe(
        'CALL redis exceeded its deadline of 500 ms; gave up after 1 attempt: ' +
          'the deadline of 500 ms expired during attempt 1',
      );
      expect((seen?.reason as Error | undefined)?.message).toBe('deadline exceeded');
      expect(attempts.map((a) => a.outcome)).toEqual(['cancelled']);
      expect(logs.map((l) => [l.level, l.message])).toEqual([['warn', 'giving up on outbound call']]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('keeps the previous attempt’s failure as cause when it expires during a later attempt', async () => {
      const { protection } = make({ deadlineMs: 1500, breaker: false });
      const failure = new Busy('first');
      const result = settle(
        protection.call(
          async ({ attempt }) => {
            if (attempt === 1) throw failure;
            return never();
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1500);
      const error = await result;
      expect(error).toMatchObject({ attempts: 2, cause: failure });
      expect((error as Error).message).toContain('expired during attempt 2');
    });

    it('cancels a backoff wait that the clock let start but the deadline timer ends', async () => {
      // The injected clock stands still, so the policy believes 1,500 ms are left when the wait starts.
      const { protection, giveUps } = make({ deadlineMs: 1500, breaker: false, now: () => 0 });
      let calls = 0;
      const failure = new Busy('slow failure');
      const result = settle(
        protection.call(
          () => {
            calls += 1;
            return new Promise<never>((_resolve, reject) => setTimeout(() => reject(failure), 600));
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1500);
      const error = await result;
      expect(calls).toBe(1);
      expect(isDeadlineExceededError(error)).toBe(true);
      expect(error).toMatchObject({ attempts: 1, cause: failure, giveUpReason: 'deadline-exceeded' });
      expect((error as Error).message).toBe(
        'CALL redis exceeded its deadline of 1500 ms; gave up after 1 attempt: cancelled while waiting to retry',
      );
      expect(giveUps.map((e) => e.reason)).toEqual(['deadline-exceeded']);
    });

    it('leaves no timer behind after a call that succeeds', async () => {
      const { protection } = make({ deadlineMs: 10_000, timeoutMs: 5000, breaker: false });
      await protection.call(async () => 'ok', { key: 'redis' });
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('the attempt timeout', () => {
    it("aborts the attempt's signal with a reason naming the limit, and ignores a late result", async () => {
      const { protection, attempts } = make({ timeoutMs: 100, breaker: false });
      let seen: AbortSignal | undefined;
      const result = settle(
        protection.call(
          ({ signal }: ProtectedCallContext) => {
            seen = signal;
            return new Promise<string>((resolve) => setTimeout(() => resolve('late'), 150));
          },
          { key: 'redis', retries: 0 },
        ),
      );
      await vi.advanceTimersByTimeAsync(99);
      expect(seen?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((seen?.reason as Error | undefined)?.message).toBe('attempt timed out after 100 ms');
      await vi.advanceTimersByTimeAsync(100);
      const error = await result;
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ timeoutMs: 100, attempts: 1 });
      expect(attempts.map((a) => [a.outcome, a.error])).toEqual([['failure', error]]);
    });
  });

  describe('hooks that throw', () => {
    it('are logged with their name and ignored: the call still retries, succeeds or fails as it would', async () => {
      const boom = new Error('hook bug');
      const { protection, logs } = make({
        breaker: false,
        hooks: {
          onAttempt: () => {
            throw boom;
          },
          onRetry: () => {
            throw boom;
          },
          onGiveUp: () => {
            throw boom;
          },
        },
      });
      const result = settle(
        protection.call(
          async ({ attempt }) => {
            if (attempt === 1) throw new Busy('busy');
            return 'ok';
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1000);
      expect(await result).toBe('ok');
      const failure = new Busy('final');
      const error = await settle(
        protection.call(
          async () => {
            throw failure;
          },
          { key: 'redis', retries: 0 },
        ),
      );
      expect(error).toBe(failure);
      const hookLines = logs.filter((l) => l.message === 'hook threw; ignored');
      expect(hookLines.map((l) => [l.level, l.fields.hook, l.fields.err])).toEqual([
        ['warn', 'onAttempt', boom],
        ['warn', 'onRetry', boom],
        ['warn', 'onAttempt', boom],
        ['warn', 'onAttempt', boom],
        ['warn', 'onGiveUp', boom],
      ]);
    });
  });

  describe('onAttempt', () => {
    it('reports each attempt with its number, outcome, error and a duration', async () => {
      const { protection, attempts } = make({ breaker: false });
      const failure = new Busy('busy');
      const result = settle(
        protection.call(
          async ({ attempt }) => {
            if (attempt === 1) throw failure;
            return 'ok';
          },
          { key: 'redis' },
        ),
      );
      await vi.advanceTimersByTimeAsync(1000);
      await result;
      expect(attempts).toEqual([
        {
          method: 'CALL',
          url: 'redis',
          upstream: 'redis',
          requestId: undefined,
          attempt: 1,
          durationMs: expect.any(Number),
          outcome: 'failure',
          status: undefined,
          error: failure,
        },
        expect.objectContaining({ attempt: 2, outcome: 'success', error: undefined }),
      ]);
      expect(attempts.every((a) => a.durationMs >= 0)).toBe(true);
    });
  });
});
