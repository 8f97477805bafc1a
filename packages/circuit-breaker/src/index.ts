/**
 * Fail fast on a dead upstream: a circuit breaker that opens after N consecutive failures or on a failure rate over a
 * window, lets trial calls through after a cool-down, hands out per-call permits, and keeps one breaker per upstream in a bounded registry.
 *
 * @packageDocumentation
 */

export type {
  BreakerRegistry,
  BreakerRegistryOptions,
  BreakerSnapshot,
  RegistryStateChangeEvent,
} from './create-breaker-registry.js';
export { createBreakerRegistry, DEFAULT_BREAKER_REGISTRY_OPTIONS } from './create-breaker-registry.js';
export { createCircuitBreaker } from './create-circuit-breaker.js';
export type { CircuitBreakerErrorCode } from './errors/circuit-breaker-error.js';
export { CircuitBreakerError, isCircuitBreakerError } from './errors/circuit-breaker-error.js';
export type { CircuitOpenErrorInit, CircuitOpenReason } from './errors/circuit-open-error.js';
export { CircuitOpenError, isCircuitOpenError } from './errors/circuit-open-error.js';
export { isSlowCallError, SlowCallError } from './errors/slow-call-error.js';
export type {
  CircuitBreakerOptions,
  CircuitBreakerPolicy,
  ResolvedCircuitBreakerOptions,
} from './options.js';
export { DEFAULT_CIRCUIT_BREAKER_OPTIONS } from './options.js';
export type {
  BreakerPermit,
  CircuitBreaker,
  CircuitBreakerStats,
  CircuitState,
  CloseEvent,
  HalfOpenEvent,
  OpenEvent,
  RejectEvent,
  StateChangeEvent,
  Unsubscribe,
} from './types.js';
export { upstreamKey } from './upstream-key.js';
