import { CircuitOpenError } from '@resilience/http-client';
import { describe, expect, it } from 'vitest';
import { failureFields, failureLevel } from './log-fields.js';

describe('failureFields', () => {
  it('keeps the kind, code and message of the error, not its stack', () => {
    const error = new CircuitOpenError({ breakerName: 'http://up:1', retryAfterMs: 10 });
    const fields = failureFields({ kind: 'circuit_open', retryAfterMs: 10 }, error);
    expect(fields).toEqual({
      failure: 'circuit_open',
      errorCode: 'ERR_CIRCUIT_OPEN',
      errorMessage: error.message,
    });
    expect(JSON.stringify(fields)).not.toContain('at ');
  });

  it('copes with a thrown non-error', () => {
    expect(failureFields({ kind: 'deadline_exceeded' }, 'x')).toEqual({ failure: 'deadline_exceeded' });
  });
});

describe('failureLevel', () => {
  it('logs breaker rejections at debug and other failures at warn', () => {
    expect(failureLevel({ kind: 'circuit_open', retryAfterMs: 1 })).toBe('debug');
    expect(failureLevel({ kind: 'unavailable', code: 'ECONNRESET' })).toBe('warn');
  });
});
