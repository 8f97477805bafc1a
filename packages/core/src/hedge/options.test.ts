import { describe, expect, it } from 'vitest';
import { HEDGE_POLICY_DEFAULTS, resolveHedgePolicyOptions } from './options.js';

describe('resolveHedgePolicyOptions', () => {
  it('fills the documented defaults', () => {
    const resolved = resolveHedgePolicyOptions();
    expect(resolved).toMatchObject({
      delayMs: 'p95',
      maxAttempts: 2,
      maxExtraRatio: 0.05,
      ratioWindow: 100,
      minSamples: 20,
      latencyWindow: 200,
      maxKeys: 100,
    });
    expect(HEDGE_POLICY_DEFAULTS.maxAttempts).toBe(2);
    expect(typeof resolved.clock.now()).toBe('number');
  });

  it('keeps 0 as a value rather than the default', () => {
    expect(resolveHedgePolicyOptions({ delayMs: 0, maxExtraRatio: 0 })).toMatchObject({
      delayMs: 0,
      maxExtraRatio: 0,
    });
  });

  it('accepts the boundaries', () => {
    expect(
      resolveHedgePolicyOptions({ maxAttempts: 5, maxExtraRatio: 1, minSamples: 1, latencyWindow: 1 }),
    ).toMatchObject({
      maxAttempts: 5,
      maxExtraRatio: 1,
      latencyWindow: 1,
    });
    expect(resolveHedgePolicyOptions({ maxAttempts: 1 }).maxAttempts).toBe(1);
    expect(resolveHedgePolicyOptions({ minSamples: 300 }).latencyWindow).toBe(300);
  });

  it.each([
    [{ maxAttempts: 6 }, 'maxAttempts must be an integer from 1 to 5, got 6'],
    [{ maxAttempts: 0 }, 'maxAttempts must be an integer from 1 to 5, got 0'],
    [{ maxAttempts: 2.5 }, 'maxAttempts must be an integer from 1 to 5, got 2.5'],
    [{ delayMs: -1 }, "delayMs must be a number >= 0 or 'p95', got -1"],
    [{ delayMs: Number.POSITIVE_INFINITY }, "delayMs must be a number >= 0 or 'p95', got Infinity"],
    [{ delayMs: 'p99' as unknown as number }, "delayMs must be a number >= 0 or 'p95', got p99"],
    [{ maxExtraRatio: 1.01 }, 'maxExtraRatio must be a number from 0 to 1, got 1.01'],
    [{ maxExtraRatio: -0.01 }, 'maxExtraRatio must be a number from 0 to 1, got -0.01'],
    [{ maxExtraRatio: Number.NaN }, 'maxExtraRatio must be a number from 0 to 1, got NaN'],
    [{ ratioWindow: 0 }, 'ratioWindow must be an integer >= 1, got 0'],
    [{ minSamples: 0 }, 'minSamples must be an integer from 1 to 100000, got 0'],
    [{ minSamples: 100_001 }, 'minSamples must be an integer from 1 to 100000, got 100001'],
    [
      { minSamples: 20, latencyWindow: 19 },
      'latencyWindow must be an integer from minSamples (20) to 100000, got 19',
    ],
    [
      { latencyWindow: 100_001 },
      'latencyWindow must be an integer from minSamples (20) to 100000, got 100001',
    ],
  ])('refuses %o', (options, message) => {
    expect(() => resolveHedgePolicyOptions(options)).toThrow(TypeError);
    expect(() => resolveHedgePolicyOptions(options)).toThrow(`createHedgePolicy: ${message}`);
  });

  it('does not mutate the options object', () => {
    const options = Object.freeze({ maxAttempts: 3 });
    expect(resolveHedgePolicyOptions(options).maxAttempts).toBe(3);
    expect(options).toEqual({ maxAttempts: 3 });
  });
});
