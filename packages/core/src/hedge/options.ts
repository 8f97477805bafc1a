/** Time source and timers of a hedge policy; injectable so tests drive the schedule. */
export interface HedgeClock {
  /** Milliseconds from an arbitrary origin, monotonic. @default performance.now */
  now(): number;
  /** Starts a timer; the default one is `unref()`ed. @default setTimeout */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Stops a timer started by `setTimeout`. @default clearTimeout */
  clearTimeout(handle: unknown): void;
}

/** Options of `createHedgePolicy`. Every field is optional. */
export interface HedgePolicyOptions {
  /**
   * How long an attempt may stay pending before the next one is sent: a fixed number of ms (0 or more), or `'p95'`, the
   * 95th percentile of the latencies this policy observed (no hedge is sent before `minSamples` latencies).
   * @default 'p95'
   */
  readonly delayMs?: number | 'p95';
  /** Most attempts per call, the first included (1 turns hedging off). Integer 1-5. @default 2 */
  readonly maxAttempts?: number;
  /**
   * Cap on extra load: hedges sent may never exceed this share of primary calls (a token bucket credited
   * `maxExtraRatio` per primary call, starting empty). 0-1. @default 0.05
   */
  readonly maxExtraRatio?: number;
  /**
   * How many primary calls' worth of unused credit the bucket keeps: at most `maxExtraRatio * ratioWindow` hedges
   * can go out in a burst. Integer, at least 1. @default 100
   */
  readonly ratioWindow?: number;
  /** With `delayMs: 'p95'`: latencies observed before the first hedge. Integer, at least 1. @default 20 */
  readonly minSamples?: number;
  /** With `delayMs: 'p95'`: how many of the latest latencies the percentile is taken over. Integer, at least minSamples. @default 200 */
  readonly latencyWindow?: number;
  /**
   * Most upstream keys (`run`'s `context.key`) whose latency history and extra-load credit are kept; the least
   * recently used is dropped beyond it (and starts again empty). Integer, at least 1. @default 100
   */
  readonly maxKeys?: number;
  /** Time source and timers. @default performance.now, setTimeout (unref'd), clearTimeout */
  readonly clock?: HedgeClock;
}

/** The options, every field resolved. */
export interface ResolvedHedgePolicyOptions {
  readonly delayMs: number | 'p95';
  readonly maxAttempts: number;
  readonly maxExtraRatio: number;
  readonly ratioWindow: number;
  readonly minSamples: number;
  readonly latencyWindow: number;
  readonly maxKeys: number;
  readonly clock: HedgeClock;
}

/** Largest `maxAttempts` accepted (as gRPC's hedging policy). */
export const MAX_HEDGE_ATTEMPTS = 5;

export const HEDGE_POLICY_DEFAULTS = {
  delayMs: 'p95',
  maxAttempts: 2,
  maxExtraRatio: 0.05,
  ratioWindow: 100,
  minSamples: 20,
  latencyWindow: 200,
  maxKeys: 100,
} as const;

const systemClock: HedgeClock = {
  now: () => performance.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Fills defaults and validates; throws a `TypeError` naming the option and why. Does not mutate `options`. */
export function resolveHedgePolicyOptions(options: HedgePolicyOptions = {}): ResolvedHedgePolicyOptions {
  const delayMs = options.delayMs ?? HEDGE_POLICY_DEFAULTS.delayMs;
  const maxAttempts = options.maxAttempts ?? HEDGE_POLICY_DEFAULTS.maxAttempts;
  const maxExtraRatio = options.maxExtraRatio ?? HEDGE_POLICY_DEFAULTS.maxExtraRatio;
  const ratioWindow = options.ratioWindow ?? HEDGE_POLICY_DEFAULTS.ratioWindow;
  const minSamples = options.minSamples ?? HEDGE_POLICY_DEFAULTS.minSamples;
  const latencyWindow = options.latencyWindow ?? Math.max(HEDGE_POLICY_DEFAULTS.latencyWindow, minSamples);
  const maxKeys = options.maxKeys ?? HEDGE_POLICY_DEFAULTS.maxKeys;

  if (delayMs !== 'p95' && !(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new TypeError(`createHedgePolicy: delayMs must be a number >= 0 or 'p95', got ${String(delayMs)}`);
  }
  if (typeof maxAttempts !== 'number' || !isIntegerIn(maxAttempts, 1, MAX_HEDGE_ATTEMPTS)) {
    throw new TypeError(
      `createHedgePolicy: maxAttempts must be an integer from 1 to ${MAX_HEDGE_ATTEMPTS}, got ${String(maxAttempts)}`,
    );
  }
  if (typeof maxExtraRatio !== 'number' || !(maxExtraRatio >= 0 && maxExtraRatio <= 1)) {
    throw new TypeError(
      `createHedgePolicy: maxExtraRatio must be a number from 0 to 1, got ${String(maxExtraRatio)}`,
    );
  }
  if (typeof ratioWindow !== 'number' || !isIntegerIn(ratioWindow, 1, Number.MAX_SAFE_INTEGER)) {
    throw new TypeError(`createHedgePolicy: ratioWindow must be an integer >= 1, got ${String(ratioWindow)}`);
  }
  if (typeof minSamples !== 'number' || !isIntegerIn(minSamples, 1, 100_000)) {
    throw new TypeError(
      `createHedgePolicy: minSamples must be an integer from 1 to 100000, got ${String(minSamples)}`,
    );
  }
  if (typeof latencyWindow !== 'number' || !isIntegerIn(latencyWindow, minSamples, 100_000)) {
    throw new TypeError(
      `createHedgePolicy: latencyWindow must be an integer from minSamples (${minSamples}) to 100000, got ${String(latencyWindow)}`,
    );
  }
  if (typeof maxKeys !== 'number' || !isIntegerIn(maxKeys, 1, 1_000_000)) {
    throw new TypeError(
      `createHedgePolicy: maxKeys must be an integer from 1 to 1000000, got ${String(maxKeys)}`,
    );
  }
  return {
    delayMs,
    maxAttempts,
    maxExtraRatio,
    ratioWindow,
    minSamples,
    latencyWindow,
    maxKeys,
    clock: options.clock ?? systemClock,
  };
}
