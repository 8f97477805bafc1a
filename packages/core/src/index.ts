/**
 * Transport-neutral resilience for any async operation: one deadline, retries with a budget and backoff, a
 * circuit-breaker permit per attempt, attempt timeouts and cancellation.
 *
 * @packageDocumentation
 */

export type {
  ConcurrencyLimitErrorDetails,
  ConcurrencyLimitReason,
} from './concurrency/concurrency-limit-error.js';
export { ConcurrencyLimitError, isConcurrencyLimitError } from './concurrency/concurrency-limit-error.js';
export type {
  AcquireOptions,
  ConcurrencyLimiter,
  LimitChange,
  LimiterToken,
} from './concurrency/create-concurrency-limiter.js';
export { createConcurrencyLimiter } from './concurrency/create-concurrency-limiter.js';
export type { ConcurrencyAlgorithm, ConcurrencyLimiterOptions, LimiterClock } from './concurrency/options.js';
export { DEFAULT_CONCURRENCY_LIMITER_OPTIONS } from './concurrency/options.js';
export type {
  AttemptLimiter,
  AttemptLimiterToken,
  Operation,
  Resilience,
  RunErrors,
  RunHooks,
  RunOptions,
} from './create-resilience.js';
export { createResilience } from './create-resilience.js';
export type { Clock, Deadline, DeadlineOptions, DeadlineTimers } from './deadline.js';
export { createDeadline } from './deadline.js';
export { AbortedError, isAbortedError } from './errors/aborted-error.js';
export { AttemptTimeoutError, isAttemptTimeoutError } from './errors/attempt-timeout-error.js';
export { DeadlineExceededError, isDeadlineExceededError } from './errors/deadline-exceeded-error.js';
export type { ResilienceErrorCode, ResilienceErrorInit } from './errors/resilience-error.js';
export { isResilienceError, ResilienceError } from './errors/resilience-error.js';
export {
  createHedgePolicy,
  type HedgeCallContext,
  type HedgeCallHooks,
  type HedgedAttempt,
  type HedgePolicy,
  type HedgeRefusal,
  type HedgeStats,
} from './hedge/create-hedge-policy.js';
export { HedgeCancelledError, isHedgeCancelledError } from './hedge/hedge-cancelled-error.js';
export {
  HEDGE_POLICY_DEFAULTS,
  type HedgeClock,
  type HedgePolicyOptions,
  MAX_HEDGE_ATTEMPTS,
  type ResolvedHedgePolicyOptions,
} from './hedge/options.js';
export type {
  AttemptEvent,
  AttemptOutcome,
  BreakerVerdict,
  FailureClassification,
  GiveUpEvent,
  GiveUpReason,
  JitterMode,
  ResilienceOptions,
  RetryBudgetOptions,
  RetryEvent,
  RetryOptions,
} from './options.js';
export { DEFAULT_RESILIENCE_OPTIONS } from './options.js';
