import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS } from './options.js';

const boom = (): Promise<never> => Promise.reject(new Error('boom'));

describe('createCircuitBreaker options', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('documents its defaults in DEFAULT_CIRCUIT_BREAKER_OPTIONS', () => {
    expect(DEFAULT_CIRCUIT_BREAKER_OPTIONS).toMatchObject({
      name: 'default',
      failureThreshold: 5,
      resetTimeoutMs: 60_000,
      rejectionStackFrames: 0,
    });
    expect(DEFAULT_CIRCUIT_BREAKER_OPTIONS.isFailure(new Error('x'))).toBe(true);
    expect(DEFAULT_CIRCUIT_BREAKER_OPTIONS.isIgnored(new Error('x'))).toBe(false);
    expect(Object.isFrozen(DEFAULT_CIRCUIT_BREAKER_OPTIONS)).toBe(true);
  });

  it.each([
    [{ name: '' }, 'options.name must be a non-empty string, got ""'],
    [{ name: 42 }, 'options.name must be a non-empty string, got 42'],
    [{ name: () => 'x' }, 'options.name must be a non-empty string, got a function'],
    [{ name: {} }, 'options.name must be a non-empty string, got an object'],
    [{ name: ['a'] }, 'options.name must be a non-empty string, got an array'],
    [{ failureThreshold: 0 }, 'options.failureThreshold must be an integer >= 1, got 0'],
    [{ failureThreshold: '5' }, 'options.failureThreshold must be an integer >= 1, got "5"'],
    [{ failureThreshold: null }, undefined],
    [{ resetTimeoutMs: 0 }, 'options.resetTimeoutMs must be an integer between 1 and 2147483647, got 0'],
    [
      { resetTimeoutMs: 2_147_483_648 },
      'options.resetTimeoutMs must be an integer between 1 and 2147483647, got 2147483648',
    ],
    [{ isFailure: 'yes' }, 'options.isFailure must be a function, got "yes"'],
    [{ isIgnored: true }, 'options.isIgnored must be a function, got true'],
    [{ isIgnored: null }, undefined],
    [
      { rejectionStackFrames: -1 },
      'options.rejectionStackFrames must be an integer between 0 and 100, got -1',
    ],
    [
      { rejectionStackFrames: 101 },
      'options.rejectionStackFrames must be an integer between 0 and 100, got 101',
    ],
  ])('%o: %s', (options, message) => {
    if (message === undefined) {
      // null means "use the default", like undefined
      expect(() => createCircuitBreaker(options as never).shutdown()).not.toThrow();
    } else {
      expect(() => createCircuitBreaker(options as never)).toThrow(new TypeError(message));
    }
  });

  it.each([null, 'fast', 42])(
    'rejects %j as options with a TypeError saying options must be an object',
    (options) => {
      expect(() => createCircuitBreaker(options as never)).toThrow(
        new TypeError('circuit breaker options must be an object'),
      );
    },
  );

  it('accepts the smallest values: failureThreshold 1, resetTimeoutMs 1, rejectionStackFrames 0', async () => {
    vi.useFakeTimers();
    const breaker = createCircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 1, rejectionStackFrames: 0 });
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    expect(breaker.state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.shutdown();
  });

  it('accepts the largest values: resetTimeoutMs 2147483647, rejectionStackFrames 100', async () => {
    vi.useFakeTimers();
    const breaker = createCircuitBreaker({
      failureThreshold: 1,
      resetTimeoutMs: 2_147_483_647,
      rejectionStackFrames: 100,
    });
    await expect(breaker.execute(boom)).rejects.toThrow('boom');
    expect(breaker.stats().msUntilHalfOpen).toBe(2_147_483_647);
    vi.advanceTimersByTime(2_147_483_646);
    expect(breaker.state).toBe('OPEN');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.shutdown();
  });
});
