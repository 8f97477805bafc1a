/** A source of the current time in milliseconds. */
export interface LimiterClock {
  now(): number;
}

/** The algorithms a concurrency limiter can run. */
export type ConcurrencyAlgorithm =
  /** Netflix's Gradient2: the limit follows the ratio of long-term to current RTT (see the README). */
  | 'gradient2'
  /** A fixed limit: `initialLimit`, never changed by samples. */
  | 'fixed';

/** Options of {@link createConcurrencyLimiter}. Every field is optional. */
export interface ConcurrencyLimiterOptions {
  /**
   * How the limit adapts.
   * @default 'gradient2'
   */
  readonly algorithm?: ConcurrencyAlgorithm;
  /**
   * The limit before any sample.
   * @default 20
   */
  readonly initialLimit?: number;
  /**
   * The limit never goes below this.
   * @default 1
   */
  readonly minLimit?: number;
  /**
   * The limit never goes above this.
   * @default Math.max(200, initialLimit)
   */
  readonly maxLimit?: number;
  /**
   * Calls that may wait for a slot; `0` fails fast when every slot is taken.
   * @default 0
   */
  readonly maxQueue?: number;
  /**
   * Longest wait in the queue before the call is refused with reason `timeout`.
   * @default 100
   */
  readonly maxWaitMs?: number;
  /**
   * The `retryAfterMs` hint carried by every {@link ConcurrencyLimitError}.
   * @default 1000
   */
  readonly retryAfterMs?: number;
  /**
   * Gradient2: how far one sample moves the limit toward its new estimate, more than 0 and at most 1.
   * @default 0.2
   */
  readonly smoothing?: number;
  /**
   * Gradient2: slots the limit may grow by per sample while latency stays at its long-term level.
   * @default 4
   */
  readonly queueSize?: number;
  /**
   * Gradient2: samples in the long-term RTT average.
   * @default 600
   */
  readonly longWindow?: number;
  /**
   * Time for RTTs measured by the limiter (a token's `success()` without an RTT). Queue timeouts use `setTimeout`.
   * @default `performance.now()`
   */
  readonly clock?: LimiterClock;
}

/** Every option filled. */
export type ResolvedConcurrencyLimiterOptions = Required<ConcurrencyLimiterOptions>;

/** The defaults of {@link ConcurrencyLimiterOptions}; `minLimit` 1 (Netflix uses 20) so small services can shed. */
export const DEFAULT_CONCURRENCY_LIMITER_OPTIONS: Readonly<
  Required<Omit<ConcurrencyLimiterOptions, 'clock'>>
> = Object.freeze({
  algorithm: 'gradient2',
  initialLimit: 20,
  minLimit: 1,
  maxLimit: 200,
  maxQueue: 0,
  maxWaitMs: 100,
  retryAfterMs: 1000,
  smoothing: 0.2,
  queueSize: 4,
  longWindow: 600,
});

const systemClock: LimiterClock = { now: () => performance.now() };

function positiveInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`options.${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** Fills defaults and rejects wrong or contradictory options with a `TypeError` naming the option. */
export function resolveConcurrencyLimiterOptions(
  options: ConcurrencyLimiterOptions = {},
): ResolvedConcurrencyLimiterOptions {
  const d = DEFAULT_CONCURRENCY_LIMITER_OPTIONS;
  const resolved: ResolvedConcurrencyLimiterOptions = {
    algorithm: options.algorithm ?? d.algorithm,
    initialLimit: options.initialLimit ?? d.initialLimit,
    minLimit: options.minLimit ?? d.minLimit,
    maxLimit: options.maxLimit ?? Math.max(d.maxLimit, options.initialLimit ?? d.initialLimit),
    maxQueue: options.maxQueue ?? d.maxQueue,
    maxWaitMs: options.maxWaitMs ?? d.maxWaitMs,
    retryAfterMs: options.retryAfterMs ?? d.retryAfterMs,
    smoothing: options.smoothing ?? d.smoothing,
    queueSize: options.queueSize ?? d.queueSize,
    longWindow: options.longWindow ?? d.longWindow,
    clock: options.clock ?? systemClock,
  };
  if (resolved.algorithm !== 'gradient2' && resolved.algorithm !== 'fixed') {
    throw new TypeError(
      `options.algorithm must be 'gradient2' or 'fixed', got ${String(resolved.algorithm)}`,
    );
  }
  positiveInteger('initialLimit', resolved.initialLimit, 1);
  positiveInteger('minLimit', resolved.minLimit, 1);
  positiveInteger('maxLimit', resolved.maxLimit, 1);
  positiveInteger('maxQueue', resolved.maxQueue, 0);
  positiveInteger('queueSize', resolved.queueSize, 0);
  positiveInteger('longWindow', resolved.longWindow, 1);
  if (resolved.minLimit > resolved.maxLimit) {
    throw new TypeError(
      `options.minLimit (${resolved.minLimit}) must be <= options.maxLimit (${resolved.maxLimit})`,
    );
  }
  if (resolved.initialLimit < resolved.minLimit || resolved.initialLimit > resolved.maxLimit) {
    throw new TypeError(
      `options.initialLimit (${resolved.initialLimit}) must be within [minLimit, maxLimit] = [${resolved.minLimit}, ${resolved.maxLimit}]`,
    );
  }
  if (!Number.isFinite(resolved.maxWaitMs) || resolved.maxWaitMs < 0) {
    throw new TypeError(`options.maxWaitMs must be a finite number >= 0, got ${String(resolved.maxWaitMs)}`);
  }
  if (!Number.isFinite(resolved.retryAfterMs) || resolved.retryAfterMs < 0) {
    throw new TypeError(
      `options.retryAfterMs must be a finite number >= 0, got ${String(resolved.retryAfterMs)}`,
    );
  }
  if (!(resolved.smoothing > 0 && resolved.smoothing <= 1)) {
    throw new TypeError(`options.smoothing must be in (0, 1], got ${String(resolved.smoothing)}`);
  }
  if (typeof resolved.clock?.now !== 'function') {
    throw new TypeError('options.clock must have a now() method');
  }
  return resolved;
}
