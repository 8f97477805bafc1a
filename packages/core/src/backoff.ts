import type { ResolvedRetryOptions } from './options.js';

/**
 * Wait before retry `retryNumber` (1-based): `baseDelayMs * 2^(n-1)` capped by `maxDelayMs`, jittered below it
 * (`'equal'` in [nominal/2, nominal], `'full'` in [0, nominal], `'none'` exactly nominal), whole milliseconds.
 */
export function backoffDelayMs(retryNumber: number, options: ResolvedRetryOptions): number {
  const nominal = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retryNumber - 1));
  const r = options.random();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
  switch (options.jitter) {
    case 'none':
      return Math.round(nominal);
    case 'full':
      return Math.round(unit * nominal);
    case 'equal':
      return Math.round(nominal / 2 + (unit * nominal) / 2);
  }
}
