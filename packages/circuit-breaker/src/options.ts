/** Options of {@link createCircuitBreaker}. Every field is optional. */
export interface CircuitBreakerOptions {
  /**
   * Name carried by events, stats and {@link CircuitOpenError.breakerName}.
   * @default 'default'
   */
  name?: string | undefined;
  /**
   * What opens a CLOSED breaker. `'consecutive'`: `failureThreshold` failures in a row.
   * `'failure-rate'`: at least `failureRateThreshold` percent failures among the last
   * `slidingWindowSize` counted calls (a count-based window), once at least
   * `minimumNumberOfCalls` calls are in it.
   * @default 'consecutive'
   */
  policy?: CircuitBreakerPolicy | undefined;
  /**
   * Under `policy: 'failure-rate'`: the failure percentage (1 … 100) over the window that opens the breaker.
   * @default 50
   */
  failureRateThreshold?: number | undefined;
  /**
   * Under `policy: 'failure-rate'`: how many of the most recent counted calls the window holds.
   * @default 100
   */
  slidingWindowSize?: number | undefined;
  /**
   * Under `policy: 'failure-rate'`: calls the window must hold before the rate is judged at all
   * (at most `slidingWindowSize`), so a few early failures cannot open the breaker.
   * @default 100
   */
  minimumNumberOfCalls?: number | undefined;
  /**
   * A call that succeeds but took at least this many milliseconds (measured with `now`, from
   * admission to the outcome) counts as a failure, under either policy. `undefined` turns slow-call
   * counting off.
   * @default undefined (off)
   */
  slowCallDurationMs?: number | undefined;
  /**
   * Trial calls let through at once while HALF_OPEN. Any failed trial opens the breaker again.
   * @default 1
   */
  halfOpenProbes?: number | undefined;
  /**
   * Successful trials needed in one HALF_OPEN period to close the breaker. When it is larger than
   * `halfOpenProbes`, later trials start as earlier ones settle.
   * @default 1
   */
  successThreshold?: number | undefined;
  /**
   * The clock of slow-call measurement and of the timestamps in stats (epoch ms).
   * @default Date.now
   */
  now?: (() => number) | undefined;
  /**
   * Under `policy: 'consecutive'`: number of consecutive failures that opens the breaker. Any success (or any
   * error for which `isFailure` returns `false`) resets the count; an ignored error
   * (see `isIgnored`) leaves it as it is.
   * @default 5
   */
  failureThreshold?: number | undefined;
  /**
   * How long the breaker stays OPEN before it lets one trial call through (HALF_OPEN).
   * Driven by `setTimeout`, so fake timers control it.
   * @default 60000
   */
  resetTimeoutMs?: number | undefined;
  /**
   * Decides whether an error thrown by the protected function counts as a failure.
   * Errors for which it returns `false` are still rethrown to the caller, but they
   * count as a sign of life: they reset the consecutive-failure count and close a
   * half-open breaker. If `isFailure` itself throws, the error counts as a failure.
   * @default `() => true` (every error counts)
   */
  isFailure?: ((error: unknown) => boolean) | undefined;
  /**
   * Decides whether an error thrown by the protected function is *neutral*: neither a
   * failure nor a sign of life, because the upstream never answered (the caller gave up,
   * a deadline cut the call). An ignored error is rethrown to the caller untouched, leaves
   * the consecutive-failure count as it is and never closes the breaker: if it ended the
   * half-open trial, the breaker stays HALF_OPEN and the next call becomes the trial.
   * Asked before `isFailure` (which is not asked for an ignored error). If `isIgnored`
   * itself throws, the error is not ignored and `isFailure` decides.
   * @default `() => false` (nothing is ignored)
   */
  isIgnored?: ((error: unknown) => boolean) | undefined;
  /**
   * Stack frames captured in the `CircuitOpenError` of a refused call, starting at the caller of `execute`.
   * Capturing a stack is most of the cost of a rejection (about 3 us for the first frame, 0.7 us per further
   * frame, against about 4 us for a whole rejection without one), and a rejection has to stay cheap when an
   * upstream is down and every call is refused; the message already names the breaker, the reason and the
   * wait. Raise it while debugging where refused calls come from.
   * @default 0 (`stack` is the error's first line only)
   */
  rejectionStackFrames?: number | undefined;
}

/** What opens a CLOSED breaker (see {@link CircuitBreakerOptions.policy}). */
export type CircuitBreakerPolicy = 'consecutive' | 'failure-rate';

/** Options after defaults are applied and validated. */
export interface ResolvedCircuitBreakerOptions {
  readonly name: string;
  readonly policy: CircuitBreakerPolicy;
  readonly failureRateThreshold: number;
  readonly slidingWindowSize: number;
  readonly minimumNumberOfCalls: number;
  readonly slowCallDurationMs: number | undefined;
  readonly halfOpenProbes: number;
  readonly successThreshold: number;
  readonly now: () => number;
  readonly failureThreshold: number;
  readonly resetTimeoutMs: number;
  readonly isFailure: (error: unknown) => boolean;
  readonly isIgnored: (error: unknown) => boolean;
  readonly rejectionStackFrames: number;
}

/** The defaults, in one place. */
export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: ResolvedCircuitBreakerOptions = Object.freeze({
  name: 'default',
  policy: 'consecutive',
  failureRateThreshold: 50,
  slidingWindowSize: 100,
  minimumNumberOfCalls: 100,
  slowCallDurationMs: undefined,
  halfOpenProbes: 1,
  successThreshold: 1,
  now: () => Date.now(),
  failureThreshold: 5,
  resetTimeoutMs: 60_000,
  isFailure: () => true,
  isIgnored: () => false,
  rejectionStackFrames: 0,
});

/** Most frames `rejectionStackFrames` may ask for. */
const MAX_STACK_FRAMES = 100;

/** Largest delay `setTimeout` honours (about 24.8 days). */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Applies defaults and validates; throws a `TypeError` naming the bad option. Never mutates `options`. */
export function resolveCircuitBreakerOptions(
  options: CircuitBreakerOptions = {},
): ResolvedCircuitBreakerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('circuit breaker options must be an object');
  }
  const defaults = DEFAULT_CIRCUIT_BREAKER_OPTIONS;
  const resolved: ResolvedCircuitBreakerOptions = {
    name: options.name ?? defaults.name,
    policy: options.policy ?? defaults.policy,
    failureRateThreshold: options.failureRateThreshold ?? defaults.failureRateThreshold,
    slidingWindowSize: options.slidingWindowSize ?? defaults.slidingWindowSize,
    minimumNumberOfCalls:
      options.minimumNumberOfCalls ??
      Math.min(defaults.minimumNumberOfCalls, options.slidingWindowSize ?? defaults.slidingWindowSize),
    slowCallDurationMs: options.slowCallDurationMs ?? defaults.slowCallDurationMs,
    halfOpenProbes: options.halfOpenProbes ?? defaults.halfOpenProbes,
    successThreshold: options.successThreshold ?? defaults.successThreshold,
    now: options.now ?? defaults.now,
    failureThreshold: options.failureThreshold ?? defaults.failureThreshold,
    resetTimeoutMs: options.resetTimeoutMs ?? defaults.resetTimeoutMs,
    isFailure: options.isFailure ?? defaults.isFailure,
    isIgnored: options.isIgnored ?? defaults.isIgnored,
    rejectionStackFrames: options.rejectionStackFrames ?? defaults.rejectionStackFrames,
  };
  if (typeof resolved.name !== 'string' || resolved.name.length === 0) {
    throw new TypeError(`options.name must be a non-empty string, got ${describe(resolved.name)}`);
  }
  if (resolved.policy !== 'consecutive' && resolved.policy !== 'failure-rate') {
    throw new TypeError(
      `options.policy must be 'consecutive' or 'failure-rate', got ${describe(resolved.policy)}`,
    );
  }
  if (
    typeof resolved.failureRateThreshold !== 'number' ||
    !(resolved.failureRateThreshold > 0 && resolved.failureRateThreshold <= 100)
  ) {
    throw new TypeError(
      `options.failureRateThreshold must be a number above 0 and at most 100, got ${describe(resolved.failureRateThreshold)}`,
    );
  }
  for (const key of [
    'slidingWindowSize',
    'minimumNumberOfCalls',
    'halfOpenProbes',
    'successThreshold',
  ] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 1) {
      throw new TypeError(`options.${key} must be an integer >= 1, got ${describe(resolved[key])}`);
    }
  }
  if (resolved.minimumNumberOfCalls > resolved.slidingWindowSize) {
    throw new TypeError(
      `options.minimumNumberOfCalls (${resolved.minimumNumberOfCalls}) must not exceed options.slidingWindowSize (${resolved.slidingWindowSize})`,
    );
  }
  if (
    resolved.slowCallDurationMs !== undefined &&
    (typeof resolved.slowCallDurationMs !== 'number' || !(resolved.slowCallDurationMs > 0))
  ) {
    throw new TypeError(
      `options.slowCallDurationMs must be a number above 0 or undefined, got ${describe(resolved.slowCallDurationMs)}`,
    );
  }
  if (typeof resolved.now !== 'function') {
    throw new TypeError(`options.now must be a function, got ${describe(resolved.now)}`);
  }
  if (!Number.isSafeInteger(resolved.failureThreshold) || resolved.failureThreshold < 1) {
    throw new TypeError(
      `options.failureThreshold must be an integer >= 1, got ${describe(resolved.failureThreshold)}`,
    );
  }
  if (
    !Number.isSafeInteger(resolved.resetTimeoutMs) ||
    resolved.resetTimeoutMs < 1 ||
    resolved.resetTimeoutMs > MAX_TIMEOUT_MS
  ) {
    throw new TypeError(
      `options.resetTimeoutMs must be an integer between 1 and ${MAX_TIMEOUT_MS}, got ${describe(resolved.resetTimeoutMs)}`,
    );
  }
  if (typeof resolved.isFailure !== 'function') {
    throw new TypeError(`options.isFailure must be a function, got ${describe(resolved.isFailure)}`);
  }
  if (
    !Number.isSafeInteger(resolved.rejectionStackFrames) ||
    resolved.rejectionStackFrames < 0 ||
    resolved.rejectionStackFrames > MAX_STACK_FRAMES
  ) {
    throw new TypeError(
      `options.rejectionStackFrames must be an integer between 0 and ${MAX_STACK_FRAMES}, got ${describe(resolved.rejectionStackFrames)}`,
    );
  }
  if (typeof resolved.isIgnored !== 'function') {
    throw new TypeError(`options.isIgnored must be a function, got ${describe(resolved.isIgnored)}`);
  }
  return resolved;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
