import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nominalDelayMs } from './backoff.js';
import { HTTP_CLIENT_DEFAULTS, type ResolvedRetryOptions } from './options.js';

const base: ResolvedRetryOptions = { ...HTTP_CLIENT_DEFAULTS.retry, jitter: 'none' };

describe('backoffDelayMs', () => {
  it('doubles from baseDelayMs: 1 s, 2 s, 4 s', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, base))).toEqual([1000, 2000, 4000]);
  });

  it('caps the nominal delay at maxDelayMs, even for huge retry numbers', () => {
    const options = { ...base, maxDelayMs: 5000 };
    expect(backoffDelayMs(4, options)).toBe(5000);
    expect(nominalDelayMs(5000, options)).toBe(5000);
  });

  it('equal jitter stays within [nominal/2, nominal]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const options = { ...base, jitter: 'equal' as const, random: () => r };
          const nominal = nominalDelayMs(n, options);
          const delay = backoffDelayMs(n, options);
          expect(delay).toBeGreaterThanOrEqual(nominal / 2);
          expect(delay).toBeLessThanOrEqual(nominal);
        },
      ),
    );
  });

  it('full jitter stays within [0, nominal]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const options = { ...base, jitter: 'full' as const, random: () => r };
          const delay = backoffDelayMs(n, options);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(nominalDelayMs(n, options));
        },
      ),
    );
  });

  it('uses the injected random source', () => {
    expect(backoffDelayMs(1, { ...base, jitter: 'equal', random: () => 0 })).toBe(500);
    expect(backoffDelayMs(1, { ...base, jitter: 'equal', random: () => 0.5 })).toBe(750);
    expect(backoffDelayMs(2, { ...base, jitter: 'full', random: () => 0.25 })).toBe(500);
  });

  it('keeps a misbehaving random source inside the bounds', () => {
    expect(backoffDelayMs(1, { ...base, jitter: 'equal', random: () => 7 })).toBe(1000);
    expect(backoffDelayMs(1, { ...base, jitter: 'full', random: () => Number.NaN })).toBe(0);
  });
});
