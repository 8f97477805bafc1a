import { describe, expect, it } from 'vitest';
import { CircuitBreakerError, isCircuitBreakerError } from './circuit-breaker-error.js';
import { CircuitOpenError, isCircuitOpenError } from './circuit-open-error.js';

describe('CircuitBreakerError', () => {
  it('carries its name, code, message and cause', () => {
    const cause = new Error('root');
    const error = new CircuitBreakerError('went wrong', 'ERR_CIRCUIT_OPEN', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CircuitBreakerError');
    expect(error.code).toBe('ERR_CIRCUIT_OPEN');
    expect(error.message).toBe('went wrong');
    expect(error.cause).toBe(cause);
  });

  it('isCircuitBreakerError is true for this package errors only', () => {
    expect(isCircuitBreakerError(new CircuitBreakerError('x', 'ERR_CIRCUIT_OPEN'))).toBe(true);
    expect(isCircuitBreakerError(new CircuitOpenError({ breakerName: 'api', retryAfterMs: 1 }))).toBe(true);
    expect(isCircuitBreakerError(new Error('x'))).toBe(false);
    expect(isCircuitBreakerError({ name: 'CircuitBreakerError', code: 'ERR_CIRCUIT_OPEN' })).toBe(false);
    expect(isCircuitBreakerError(null)).toBe(false);
  });
});

describe('CircuitOpenError', () => {
  it('defaults to reason open and says when the next trial comes', () => {
    const error = new CircuitOpenError({ breakerName: 'api', retryAfterMs: 1500 });
    expect(error.name).toBe('CircuitOpenError');
    expect(error.code).toBe('ERR_CIRCUIT_OPEN');
    expect(error.reason).toBe('open');
    expect(error.breakerName).toBe('api');
    expect(error.retryAfterMs).toBe(1500);
    expect(error.message).toBe('Circuit "api" is open; next trial call in 1500 ms');
  });

  it.each([
    ['open', 'Circuit "pay" is open; next trial call in 0 ms'],
    ['trial_in_flight', 'Circuit "pay" is half-open and its trial call is still running'],
    ['shutdown', 'Circuit "pay" has been shut down'],
  ] as const)('words the message for reason %s', (reason, message) => {
    const error = new CircuitOpenError({ breakerName: 'pay', retryAfterMs: 0, reason });
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(message);
  });

  it('sets cause only when one is given', () => {
    const cause = new Error('root');
    expect(new CircuitOpenError({ breakerName: 'a', retryAfterMs: 0, cause }).cause).toBe(cause);
    expect('cause' in new CircuitOpenError({ breakerName: 'a', retryAfterMs: 0 })).toBe(false);
  });

  it('isCircuitOpenError is true for CircuitOpenError only', () => {
    expect(isCircuitOpenError(new CircuitOpenError({ breakerName: 'a', retryAfterMs: 0 }))).toBe(true);
    expect(isCircuitOpenError(new CircuitBreakerError('x', 'ERR_CIRCUIT_OPEN'))).toBe(false);
    expect(isCircuitOpenError(new Error('x'))).toBe(false);
  });
});
