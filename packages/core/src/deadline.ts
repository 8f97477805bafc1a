/** A clock: epoch milliseconds. `Date.now` by default; inject one to drive time in tests. */
export type Clock = () => number;

/** Options of {@link createDeadline}. */
export interface DeadlineOptions {
  /**
   * The clock the deadline is measured on; it travels with the deadline to every call that uses it.
   * @default Date.now
   */
  readonly now?: Clock | undefined;
  /**
   * The timers behind `signal`, on the same clock as `now` (a test's manual clock drives both).
   * @default the global `setTimeout`/`clearTimeout`, the timer unref'd
   */
  readonly timers?: DeadlineTimers | undefined;
}

/** One-shot timers for {@link DeadlineOptions.timers}. */
export interface DeadlineTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: DeadlineTimers = {
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * One absolute deadline, `at` on `now`'s clock, shared by everything done on behalf of one request (an inbound
 * request's handler, its outbound calls, their retries). Its `signal` aborts when the deadline passes (an
 * unref'd timer armed on first read of `signal`); `dispose()` clears that timer.
 */
export interface Deadline {
  /** Epoch ms on `now`'s clock when the deadline passes. */
  readonly at: number;
  /** The whole budget it was created with, in ms. */
  readonly budgetMs: number;
  /** The clock it is measured on. */
  readonly now: Clock;
  /** Milliseconds left (never below 0). */
  remainingMs(): number;
  /** Whether the deadline has passed. */
  expired(): boolean;
  /** Aborted (reason: a `DOMException` named `TimeoutError`) when the deadline passes. */
  readonly signal: AbortSignal;
  /** Clears the timer behind `signal`. Idempotent. */
  dispose(): void;
}

/** Largest delay `setTimeout` honours. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A deadline `budgetMs` from now. Throws a `TypeError` for a budget that is not a number of at least 0.
 * @example `const deadline = createDeadline(2_000); await call.run('redis', op, { deadline });`
 */
export function createDeadline(budgetMs: number, options: DeadlineOptions = {}): Deadline {
  if (typeof budgetMs !== 'number' || !(budgetMs >= 0) || budgetMs > MAX_TIMER_MS) {
    throw new TypeError(
      `createDeadline(budgetMs): must be a number between 0 and ${MAX_TIMER_MS}, got ${String(budgetMs)}`,
    );
  }
  const now = options.now ?? (() => Date.now());
  if (typeof now !== 'function') throw new TypeError('options.now must be a function');
  const timers = options.timers ?? globalTimers;
  if (typeof timers.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function')
    throw new TypeError('options.timers must have setTimeout and clearTimeout functions');
  return new AbsoluteDeadline(now() + budgetMs, budgetMs, now, timers);
}

class AbsoluteDeadline implements Deadline {
  readonly at: number;
  readonly budgetMs: number;
  readonly now: Clock;
  #controller: AbortController | undefined;
  readonly #timers: DeadlineTimers;
  #timer: unknown;

  constructor(at: number, budgetMs: number, now: Clock, timers: DeadlineTimers) {
    this.at = at;
    this.budgetMs = budgetMs;
    this.now = now;
    this.#timers = timers;
  }

  remainingMs(): number {
    return Math.max(0, this.at - this.now());
  }

  expired(): boolean {
    return this.now() >= this.at;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const fire = (): void => controller.abort(new DOMException('deadline exceeded', 'TimeoutError'));
      const left = this.remainingMs();
      if (left === 0) fire();
      else this.#timer = this.#timers.setTimeout(fire, left);
    }
    return this.#controller.signal;
  }

  dispose(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
