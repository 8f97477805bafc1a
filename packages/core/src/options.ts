import type { BreakerRegistry, BreakerRegistryOptions } from '@resilience/circuit-breaker';
import type { Clock } from './deadline.js';

/** How the backoff wait before a retry is jittered. */
export type JitterMode = 'equal' | 'full' | 'none';

/** Retry options of {@link createResilience}. */
export interface RetryOptions {
  /**
   * Retries after the first attempt (so at most `retries + 1` attempts). Only calls run with `idempotent: true` are retried.
   * @default 2
   */
  readonly retries?: number | undefined;
  /**
   * Nominal wait before retry n: `baseDelayMs * 2^(n-1)`, capped by `maxDelayMs`, then jittered.
   * @default 100
   */
  readonly baseDelayMs?: number | undefined;
  /** @default 5000 */
  readonly maxDelayMs?: number | undefined;
  /**
   * `'equal'`: uniform in [nominal/2, nominal]; `'full'`: uniform in [0, nominal]; `'none'`: the nominal wait.
   * @default 'equal'
   */
  readonly jitter?: JitterMode | undefined;
  /**
   * Source of randomness for the jitter, in [0, 1).
   * @default Math.random
   */
  readonly random?: (() => number) | undefined;
  /**
   * Longest wait a `retryAfterMs` hint from `classify` may impose.
   * @default 30000
   */
  readonly maxRetryAfterMs?: number | undefined;
}

/** Retry budget options: retries allowed per window, as a share of calls (Envoy, Finagle). */
export interface RetryBudgetOptions {
  /** @default 0.2 */
  readonly ratio?: number | undefined;
  /** @default 10000 */
  readonly windowMs?: number | undefined;
  /** @default 10 */
  readonly minRetriesPerWindow?: number | undefined;
}

/** How the breaker counts an attempt's failure. */
export type BreakerVerdict = 'failure' | 'success' | 'ignore';

/** What an adapter says about one failed attempt. */
export interface FailureClassification {
  /** May the call be retried after this failure (if it is idempotent, has retries left, and so on)? */
  readonly retryable: boolean;
  /**
   * How the attempt counts for the key's breaker: `'failure'`, `'success'` (the upstream is alive, say a 404), or
   * `'ignore'` (it says nothing about the upstream).
   */
  readonly breaker: BreakerVerdict;
  /** The upstream's own wait hint (an HTTP `Retry-After`), used instead of the backoff, capped by `maxRetryAfterMs`. */
  readonly retryAfterMs?: number | undefined;
  /** A short name for logs and hooks (`'ECONNRESET'`, `'HTTP 503'`). */
  readonly reason?: string | undefined;
  /** The error to throw instead of the raw one (an adapter's typed error). */
  readonly error?: unknown;
}

/** Why a call stopped being retried. */
export type GiveUpReason =
  | 'not-retryable'
  | 'not-idempotent'
  | 'retries-exhausted'
  | 'circuit-open'
  | 'deadline-exceeded'
  /** A `retryAfterMs` hint asks for a wait longer than what is left of the deadline. */
  | 'retry-after-exceeds-deadline'
  /** The backoff wait is longer than what is left of the deadline. */
  | 'backoff-exceeds-deadline'
  | 'aborted'
  | 'retry-budget-exhausted';

/** How one attempt ended, for {@link RunHooks.onAttempt}. */
export type AttemptOutcome = 'success' | 'failure' | 'rejected' | 'cancelled';

export interface AttemptEvent {
  readonly key: string;
  readonly attempt: number;
  /** Time from the attempt's start to its end, from `performance.now()`. */
  readonly durationMs: number;
  /** `'rejected'`: the breaker refused the attempt; `'cancelled'`: the caller or the deadline cut it short. */
  readonly outcome: AttemptOutcome;
  /** The operation's value (`'success'`). */
  readonly value: unknown;
  /** The (classified) error, for every other outcome. */
  readonly error: unknown;
}

export interface RetryEvent {
  readonly key: string;
  /** The attempt that failed. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
  readonly reason: string | undefined;
  /** The classification's `retryAfterMs`, when it gave one (the wait is capped by `maxRetryAfterMs`). */
  readonly retryAfterMs: number | undefined;
}

export interface GiveUpEvent {
  readonly key: string;
  readonly attempts: number;
  readonly reason: GiveUpReason;
  /** One sentence: why, with the figures (`attempt 2 opened the circuit breaker for redis; a retry would be rejected`). */
  readonly explanation: string;
  readonly error: unknown;
}

/** Options of {@link createResilience}. Every field is optional. */
export interface ResilienceOptions {
  /**
   * Retries, as options or as a number of retries (`retry: 3`).
   * @default `{ retries: 2, baseDelayMs: 100, maxDelayMs: 5000, jitter: 'equal', random: Math.random, maxRetryAfterMs: 30000 }`
   */
  readonly retry?: RetryOptions | number | undefined;
  /**
   * A retry budget shared by every call of this instance, or `false` for none.
   * @default `{ ratio: 0.2, windowMs: 10000, minRetriesPerWindow: 10 }`
   */
  readonly retryBudget?: RetryBudgetOptions | false | undefined;
  /**
   * Breakers, one per key: options of a registry this instance creates (and closes), an existing registry (shared,
   * not closed here), or `false` for none.
   * @default `{}` (a registry with `@resilience/circuit-breaker`'s defaults: 5 consecutive failures, 60 s)
   */
  readonly breaker?: BreakerRegistryOptions | BreakerRegistry | false | undefined;
  /**
   * Timeout of each attempt (its signal aborts, the attempt fails with `AttemptTimeoutError`), cut to what is left
   * of the deadline.
   * @default 10000
   */
  readonly attemptTimeoutMs?: number | undefined;
  /**
   * Deadline of a call that brings none (`run(..., { deadline })`), in ms; `undefined` for none.
   * @default undefined
   */
  readonly deadlineMs?: number | undefined;
  /**
   * The clock of deadlines created here and of the retry budget.
   * @default Date.now
   */
  readonly now?: Clock | undefined;
  /**
   * Classifies what an attempt threw. Not asked for the loop's own cancellation.
   * @default `() => ({ retryable: true, breaker: 'failure' })`
   */
  readonly classify?: ((error: unknown, attempt: number) => FailureClassification) | undefined;
  /** Called before each backoff wait. A hook that throws is ignored. */
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Called once when a call fails for good. A hook that throws is ignored. */
  readonly onGiveUp?: ((event: GiveUpEvent) => void) | undefined;
}

export interface ResolvedRetryOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: JitterMode;
  readonly random: () => number;
  readonly maxRetryAfterMs: number;
}

export interface ResolvedRetryBudgetOptions {
  readonly ratio: number;
  readonly windowMs: number;
  readonly minRetriesPerWindow: number;
}

/** The defaults, in one place. */
export const DEFAULT_RESILIENCE_OPTIONS = Object.freeze({
  retry: Object.freeze({
    retries: 2,
    baseDelayMs: 100,
    maxDelayMs: 5_000,
    jitter: 'equal',
    random: Math.random,
    maxRetryAfterMs: 30_000,
  } satisfies ResolvedRetryOptions),
  retryBudget: Object.freeze({
    ratio: 0.2,
    windowMs: 10_000,
    minRetriesPerWindow: 10,
  } satisfies ResolvedRetryBudgetOptions),
  attemptTimeoutMs: 10_000,
  deadlineMs: undefined as number | undefined,
  now: (() => Date.now()) as Clock,
});

const MAX_TIMER_MS = 2_147_483_647;
const JITTER_MODES: readonly JitterMode[] = ['equal', 'full', 'none'];

function fail(option: string, rule: string, value: unknown): never {
  throw new TypeError(`options.${option} ${rule}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(option, `must be an integer between ${min} and ${max}`, value);
  }
  return value;
}

function fn<F>(option: string, value: F): F {
  if (typeof value !== 'function') fail(option, 'must be a function', value);
  return value;
}

export function resolveRetryOptions(value: RetryOptions | number | undefined): ResolvedRetryOptions {
  const d = DEFAULT_RESILIENCE_OPTIONS.retry;
  const given: RetryOptions = typeof value === 'number' ? { retries: value } : (value ?? {});
  if (typeof given !== 'object' || given === null) fail('retry', 'must be an object or a number', value);
  const resolved: ResolvedRetryOptions = {
    retries: integer('retry.retries', given.retries ?? d.retries, 0, 100),
    baseDelayMs: integer('retry.baseDelayMs', given.baseDelayMs ?? d.baseDelayMs, 0, MAX_TIMER_MS),
    maxDelayMs: integer('retry.maxDelayMs', given.maxDelayMs ?? d.maxDelayMs, 0, MAX_TIMER_MS),
    jitter: given.jitter ?? d.jitter,
    random: fn('retry.random', given.random ?? d.random),
    maxRetryAfterMs: integer(
      'retry.maxRetryAfterMs',
      given.maxRetryAfterMs ?? d.maxRetryAfterMs,
      0,
      MAX_TIMER_MS,
    ),
  };
  if (!JITTER_MODES.includes(resolved.jitter))
    fail('retry.jitter', `must be one of ${JITTER_MODES.join(', ')}`, resolved.jitter);
  return resolved;
}

export function resolveRetryBudgetOptions(
  value: RetryBudgetOptions | false | undefined,
): ResolvedRetryBudgetOptions | undefined {
  if (value === false) return undefined;
  const d = DEFAULT_RESILIENCE_OPTIONS.retryBudget;
  const given = value ?? {};
  if (typeof given !== 'object' || given === null) fail('retryBudget', 'must be an object or false', value);
  const ratio = given.ratio ?? d.ratio;
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))
    fail('retryBudget.ratio', 'must be a number between 0 and 1', ratio);
  return {
    ratio,
    windowMs: integer('retryBudget.windowMs', given.windowMs ?? d.windowMs, 10, MAX_TIMER_MS),
    minRetriesPerWindow: integer(
      'retryBudget.minRetriesPerWindow',
      given.minRetriesPerWindow ?? d.minRetriesPerWindow,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}

export function resolveTimeout(option: string, value: unknown): number {
  return integer(option, value, 1, MAX_TIMER_MS);
}

export { describe, fn };
