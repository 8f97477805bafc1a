/** Options of {@link createCircuitBreaker}. Every field is optional. */
export interface CircuitBreakerOptions {
  /**
   * Name carried by events, stats and {@link CircuitOpenError.breakerName}.
   * @default 'default'
   */
  name?: string | undefined;
  /**
   * Number of consecutive failures that opens the breaker. Any success (or any
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

/** Options after defaults are applied and validated. */
export interface ResolvedCircuitBreakerOptions {
  readonly name: string;
  readonly failureThreshold: number;
  readonly resetTimeoutMs: number;
  readonly isFailure: (error: unknown) => boolean;
  readonly isIgnored: (error: unknown) => boolean;
  readonly rejectionStackFrames: number;
}

/** The defaults, in one place. */
export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: ResolvedCircuitBreakerOptions = Object.freeze({
  name: 'default',
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
    failureThreshold: options.failureThreshold ?? defaults.failureThreshold,
    resetTimeoutMs: options.resetTimeoutMs ?? defaults.resetTimeoutMs,
    isFailure: options.isFailure ?? defaults.isFailure,
    isIgnored: options.isIgnored ?? defaults.isIgnored,
    rejectionStackFrames: options.rejectionStackFrames ?? defaults.rejectionStackFrames,
  };
  if (typeof resolved.name !== 'string' || resolved.name.length === 0) {
    throw new TypeError(`options.name must be a non-empty string, got ${describe(resolved.name)}`);
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
