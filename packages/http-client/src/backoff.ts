import type { ResolvedRetryOptions } from './options.js';

/** Nominal delay before retry `retryNumber` (1-based): baseDelayMs * 2^(n-1), capped by maxDelayMs. */
export function nominalDelayMs(retryNumber: number, options: ResolvedRetryOptions): number {
  // 2^(n-1) overflows to Infinity for huge n; Math.min then caps it.
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retryNumber - 1));
}

/**
 * Delay before retry `retryNumber` (1-based), jittered below its nominal value:
 * `'equal'` uniform in [nominal/2, nominal], `'full'` uniform in [0, nominal], `'none'` exactly nominal.
 * Rounded to whole milliseconds.
 */
export function backoffDelayMs(retryNumber: number, options: ResolvedRetryOptions): number {
  const nominal = nominalDelayMs(retryNumber, options);
  switch (options.jitter) {
    case 'none':
      return Math.round(nominal);
    case 'full':
      return Math.round(clampUnit(options.random()) * nominal);
    case 'equal':
      return Math.round(nominal / 2 + (clampUnit(options.random()) * nominal) / 2);
  }
}

/** Keeps a misbehaving injected random source inside [0, 1]. */
function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
