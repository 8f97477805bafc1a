/**
 * Gradient2, the default limit of Netflix's concurrency-limits (`Gradient2Limit`), as a pure state machine.
 *
 * Per sample: `shortRtt` is the sample itself, `longRtt` an exponential average over `longWindow` samples (a plain
 * mean over the first 10). If `longRtt / shortRtt > 2` the long average is cut by 10 % (recovery after overload).
 * While fewer than half the slots are used the limit is left alone (app-limited). Otherwise
 * `gradient = clamp(longRtt / shortRtt, 0.5, 1)`, `newLimit = limit * gradient + queueSize`, smoothed as
 * `limit * (1 - smoothing) + newLimit * smoothing` and clamped to `[minLimit, maxLimit]`.
 *
 * One addition: Netflix's Gradient2 ignores drops. Here a dropped call (a timeout, an overload answer) is taken as
 * the strongest queueing signal Gradient2 allows, gradient 0.5, without the `queueSize` allowance (so drops
 * shrink the limit at any size), even when app-limited; its RTT is not sampled.
 */

/** Tuning of {@link createGradient2}; every field is filled by the limiter's defaults. */
export interface Gradient2Options {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** How far one update moves the limit toward the new estimate, 0 < smoothing <= 1. */
  readonly smoothing: number;
  /** Slots the limit may grow by per update while latency stays at the baseline. */
  readonly queueSize: number;
  /** Samples in the long-term RTT average. */
  readonly longWindow: number;
}

/** One observation handed to the algorithm. */
export interface LimitSample {
  readonly rttMs: number;
  /** Calls in flight when the sampled call started (itself included). */
  readonly inFlight: number;
  readonly dropped: boolean;
}

/** The running state of Gradient2. */
export interface Gradient2 {
  /** The estimated limit, not rounded. */
  readonly estimate: number;
  readonly longRttMs: number | undefined;
  update(sample: LimitSample): number;
}

const WARMUP_SAMPLES = 10;

/** Builds a Gradient2 state machine starting at `initialLimit`. */
export function createGradient2(options: Gradient2Options): Gradient2 {
  const { minLimit, maxLimit, smoothing, queueSize, longWindow } = options;
  const factor = 2 / (longWindow + 1);
  let estimate = options.initialLimit;
  let longRtt = 0;
  let samples = 0;

  const addLong = (rtt: number): number => {
    if (samples < WARMUP_SAMPLES) {
      samples += 1;
      longRtt += (rtt - longRtt) / samples;
    } else {
      longRtt = longRtt * (1 - factor) + rtt * factor;
    }
    return longRtt;
  };

  const move = (target: number): number => {
    const smoothed = estimate * (1 - smoothing) + target * smoothing;
    estimate = Math.max(minLimit, Math.min(maxLimit, smoothed));
    return estimate;
  };

  return {
    get estimate() {
      return estimate;
    },
    get longRttMs() {
      return samples === 0 ? undefined : longRtt;
    },
    update(sample) {
      if (sample.dropped) return move(estimate * 0.5);
      const shortRtt = Math.max(sample.rttMs, Number.MIN_VALUE);
      const long = addLong(sample.rttMs);
      if (long / shortRtt > 2) longRtt = long * 0.9;
      if (sample.inFlight < estimate / 2) return estimate;
      return move(estimate * Math.max(0.5, Math.min(1, long / shortRtt)) + queueSize);
    },
  };
}
