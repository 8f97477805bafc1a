/** How a window counts: see the README's "Algorithms". */
export type RateLimitAlgorithm = 'fixed' | 'sliding';

/** What a multi-window store needs to know of one window. */
export interface WindowLimit {
  readonly name: string;
  readonly windowMs: number;
  /** This client's limit in this window. */
  readonly limit: number;
  readonly algorithm: RateLimitAlgorithm;
}

/**
 * One client's count in one window. Fixed windows use `start` and `current` (`previous` is 0); sliding windows
 * weigh `previous` (the count of the period before `start`) by the share of it still inside the window.
 */
export interface WindowCount {
  /** Start of the current period, ms since the epoch. */
  readonly start: number;
  /** Requests counted in the current period. */
  readonly current: number;
  /** Requests counted in the period before (sliding windows). */
  readonly previous: number;
}

/** The answer of {@link MultiWindowStore.consume}. */
export interface ConsumeResult {
  /** Index of the first window that refused the request (nothing was counted), or -1 when it was counted. */
  readonly refusedBy: number;
  /** One count per window, in order: after counting this request, or as they stand when it was refused. */
  readonly counts: readonly WindowCount[];
  /** The time the store counted at (its clock or the caller's). */
  readonly now: number;
}

/**
 * A store that counts all windows of a client at once: the extension of this package beside express-rate-limit's
 * per-window `Store`. `consume` must count the request in every window, or in none of them when one would
 * refuse it (a refused request spends no quota), atomically for concurrent calls with the same key.
 */
export interface MultiWindowStore {
  consume(key: string, windows: readonly WindowLimit[], now: number): Promise<ConsumeResult>;
  /** Forgets a client in every window. */
  resetKey?(key: string): Promise<void>;
  /** True when the counts live in this process only (nothing shared can fail). @default false */
  readonly localKeys?: boolean;
  /** Releases timers and connections the store owns. */
  shutdown?(): Promise<void> | void;
}
