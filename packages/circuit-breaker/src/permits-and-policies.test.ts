import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { CircuitOpenError } from './errors/circuit-open-error.js';
import { isSlowCallError } from './errors/slow-call-error.js';
import type { CircuitBreaker, OpenEvent } from './types.js';

let breaker: CircuitBreaker;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  breaker.shutdown();
  vi.useRealTimers();
});

function fail(times: number): void {
  for (let i = 0; i < times; i += 1) breaker.acquire().failure(new Error('boom'));
}

describe('acquire', () => {
  it('throws the CircuitOpenError while OPEN and tryAcquire returns it', () => {
    breaker = createCircuitBreaker({ failureThreshold: 2, resetTimeoutMs: 1000 });
    fail(2);
    expect(() => breaker.acquire()).toThrow(CircuitOpenError);
    const refused = breaker.tryAcquire();
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ reason: 'open', retryAfterMs: 1000 });
    expect(breaker.stats().rejections).toBe(2);
  });

  it('counts only the first report of a permit', () => {
    breaker = createCircuitBreaker({ failureThreshold: 2 });
    const permit = breaker.acquire();
    permit.failure();
    permit.failure();
    permit.success();
    expect(breaker.stats()).toMatchObject({ failures: 1, successes: 0, inFlight: 0, state: 'CLOSED' });
  });

  it('puts the failure passed to the permit on the open event', () => {
    breaker = createCircuitBreaker({ failureThreshold: 1 });
    const events: OpenEvent[] = [];
    breaker.onOpen((event) => events.push(event));
    const error = new Error('upstream 503');
    breaker.acquire().failure(error);
    expect(events[0]?.lastError).toBe(error);
  });
});

describe("policy: 'failure-rate'", () => {
  it('does not judge the rate before minimumNumberOfCalls, then opens at the threshold', () => {
    breaker = createCircuitBreaker({
      policy: 'failure-rate',
      slidingWindowSize: 10,
      minimumNumberOfCalls: 4,
      failureRateThreshold: 50,
    });
    fail(3);
    expect(breaker.state).toBe('CLOSED');
    breaker.acquire().success();
    // 3 of 4 calls failed (75 %), but only a failure is judged: the next one makes 4 of 5.
    expect(breaker.state).toBe('CLOSED');
    fail(1);
    expect(breaker.state).toBe('OPEN');
  });

  it('stays CLOSED at 40 % failures over the window however long it runs', () => {
    breaker = createCircuitBreaker({
      policy: 'failure-rate',
      slidingWindowSize: 10,
      minimumNumberOfCalls: 10,
    });
    for (let round = 0; round < 20; round += 1) {
      for (let i = 0; i < 3; i += 1) breaker.acquire().success();
      fail(2);
    }
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.stats()).toMatchObject({ windowCalls: 10, windowFailures: 4, consecutiveFailures: 2 });
  });

  it('forgets the oldest calls: failures that slid out of the window no longer count', () => {
    breaker = createCircuitBreaker({
      policy: 'failure-rate',
      slidingWindowSize: 4,
      minimumNumberOfCalls: 4,
      failureRateThreshold: 75,
    });
    fail(2);
    for (let i = 0; i < 4; i += 1) breaker.acquire().success();
    fail(2);
    expect(breaker.state).toBe('CLOSED');
    fail(1);
    expect(breaker.state).toBe('OPEN');
  });
});

describe('slowCallDurationMs', () => {
  it('counts a success that took exactly slowCallDurationMs as a failure, one ms less as a success', () => {
    breaker = createCircuitBreaker({ failureThreshold: 1, slowCallDurationMs: 100 });
    const events: OpenEvent[] = [];
    breaker.onOpen((event) => events.push(event));
    const quick = breaker.acquire();
    vi.advanceTimersByTime(99);
    quick.success();
    expect(breaker.state).toBe('CLOSED');
    const slow = breaker.acquire();
    vi.advanceTimersByTime(100);
    slow.success();
    expect(breaker.state).toBe('OPEN');
    expect(breaker.stats()).toMatchObject({ slowCalls: 1, failures: 1, successes: 1 });
    expect(isSlowCallError(events[0]?.lastError)).toBe(true);
  });

  it('measures with the injected clock', () => {
    let now = 0;
    breaker = createCircuitBreaker({ failureThreshold: 1, slowCallDurationMs: 50, now: () => now });
    const permit = breaker.acquire();
    now = 50;
    permit.success();
    expect(breaker.state).toBe('OPEN');
  });
});

describe('halfOpenProbes and successThreshold', () => {
  it('lets halfOpenProbes trials through at once and closes after successThreshold successes', () => {
    breaker = createCircuitBreaker({
      failureThreshold: 1,
      resetTimeoutMs: 1000,
      halfOpenProbes: 2,
      successThreshold: 3,
    });
    fail(1);
    vi.advanceTimersByTime(1000);
    const first = breaker.acquire();
    const second = breaker.acquire();
    expect(first.trial && second.trial).toBe(true);
    expect(breaker.tryAcquire()).toMatchObject({ reason: 'trial_in_flight' });
    first.success();
    second.success();
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.acquire().success();
    expect(breaker.state).toBe('CLOSED');
  });

  it('opens again on any failed trial', () => {
    breaker = createCircuitBreaker({
      failureThreshold: 1,
      resetTimeoutMs: 1000,
      halfOpenProbes: 3,
      successThreshold: 2,
    });
    fail(1);
    vi.advanceTimersByTime(1000);
    const first = breaker.acquire();
    const second = breaker.acquire();
    first.success();
    second.failure();
    expect(breaker.state).toBe('OPEN');
    expect(breaker.tryAcquire()).toMatchObject({ reason: 'open', retryAfterMs: 1000 });
  });
});

describe('options', () => {
  it.each([
    [{ policy: 'rate' }, "options.policy must be 'consecutive' or 'failure-rate'"],
    [{ failureRateThreshold: 0 }, 'options.failureRateThreshold must be a number above 0 and at most 100'],
    [{ failureRateThreshold: 101 }, 'options.failureRateThreshold must be a number above 0 and at most 100'],
    [{ slidingWindowSize: 0 }, 'options.slidingWindowSize must be an integer >= 1'],
    [{ minimumNumberOfCalls: 1.5 }, 'options.minimumNumberOfCalls must be an integer >= 1'],
    [{ halfOpenProbes: 0 }, 'options.halfOpenProbes must be an integer >= 1'],
    [{ successThreshold: 0 }, 'options.successThreshold must be an integer >= 1'],
    [{ slidingWindowSize: 5, minimumNumberOfCalls: 6 }, 'must not exceed options.slidingWindowSize'],
    [{ slowCallDurationMs: 0 }, 'options.slowCallDurationMs must be a number above 0'],
    [{ now: 5 }, 'options.now must be a function'],
  ])('rejects %j', (options, message) => {
    breaker = createCircuitBreaker();
    expect(() => createCircuitBreaker(options as never)).toThrow(message);
  });

  it('caps the default minimumNumberOfCalls at a smaller slidingWindowSize', () => {
    breaker = createCircuitBreaker({ policy: 'failure-rate', slidingWindowSize: 2 });
    fail(2);
    expect(breaker.state).toBe('OPEN');
  });
});
