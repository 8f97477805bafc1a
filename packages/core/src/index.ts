/**
 * Transport-neutral resilience for any async operation.
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
