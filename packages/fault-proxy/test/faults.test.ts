import { describe, expect, it } from 'vitest';
import { resolveFaults } from '../src/faults.js';
import { FAULT_PROXY_DEFAULTS, type FaultProxyFaults } from '../src/index.js';

describe('FAULT_PROXY_DEFAULTS', () => {
  it('listens on 127.0.0.1, a free port, and passes everything through', () => {
    expect(FAULT_PROXY_DEFAULTS).toEqual({
      host: '127.0.0.1',
      port: 0,
      faults: { latencyMs: 0, jitterMs: 0, stall: false, blackhole: false, resetReplyEvery: 0 },
    });
    expect(Object.isFrozen(FAULT_PROXY_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(FAULT_PROXY_DEFAULTS.faults)).toBe(true);
  });
});

describe('resolveFaults', () => {
  it('fills every field left out with its default', () => {
    expect(resolveFaults({})).toEqual(FAULT_PROXY_DEFAULTS.faults);
  });

  it('keeps every field given', () => {
    const faults = { latencyMs: 2.5, jitterMs: 7, stall: true, blackhole: true, resetReplyEvery: 3 };
    expect(resolveFaults(faults)).toEqual(faults);
  });

  it('accepts 0 and fractions of a millisecond', () => {
    expect(resolveFaults({ latencyMs: 0, jitterMs: 0.5, resetReplyEvery: 0 })).toMatchObject({
      latencyMs: 0,
      jitterMs: 0.5,
      resetReplyEvery: 0,
    });
  });

  it.each([
    ['latencyMs', -1, 'fault proxy: latencyMs must be a number >= 0, got -1'],
    ['latencyMs', Number.NaN, 'fault proxy: latencyMs must be a number >= 0, got NaN'],
    ['jitterMs', Number.POSITIVE_INFINITY, 'fault proxy: jitterMs must be a number >= 0, got Infinity'],
    ['jitterMs', -0.001, 'fault proxy: jitterMs must be a number >= 0, got -0.001'],
    ['jitterMs', '5', 'fault proxy: jitterMs must be a number >= 0, got 5'],
    ['resetReplyEvery', 1.5, 'fault proxy: resetReplyEvery must be an integer >= 0, got 1.5'],
    ['resetReplyEvery', -2, 'fault proxy: resetReplyEvery must be an integer >= 0, got -2'],
  ])('rejects %s = %s with a TypeError naming the field', (field, value, message) => {
    const faults = { [field]: value } as unknown as FaultProxyFaults;
    expect(() => resolveFaults(faults)).toThrow(new TypeError(message));
  });

  it('rejects faults that are not an object', () => {
    for (const faults of [null, undefined, 5, 'stall']) {
      expect(() => resolveFaults(faults as unknown as FaultProxyFaults)).toThrow(
        new TypeError('fault proxy: faults must be an object'),
      );
    }
  });
});
