import type { BreakerPermit } from './types.js';

/** How a settled call counts. */
export type Outcome = 'success' | 'failure' | 'ignored';

/** Where a permit reports its outcome: the breaker that issued it. */
export type Settle = (permit: Permit, outcome: Outcome, error: unknown) => void;

/**
 * One admitted call. The first of `success()`, `failure()` and `ignore()` counts; later ones are no-ops,
 * so a caller may call `ignore()` in a `finally` after having reported the real outcome.
 */
export class Permit implements BreakerPermit {
  readonly trialOf: number;
  readonly startedAt: number;
  #settle: Settle | null;

  constructor(settle: Settle, trialOf: number, startedAt: number) {
    this.#settle = settle;
    this.trialOf = trialOf;
    this.startedAt = startedAt;
  }

  get trial(): boolean {
    return this.trialOf !== -1;
  }

  get settled(): boolean {
    return this.#settle === null;
  }

  success(): void {
    this.#report('success', undefined);
  }

  failure(error?: unknown): void {
    this.#report('failure', error);
  }

  ignore(): void {
    this.#report('ignored', undefined);
  }

  #report(outcome: Outcome, error: unknown): void {
    const settle = this.#settle;
    if (settle === null) return;
    this.#settle = null;
    settle(this, outcome, error);
  }
}
