/**
 * One HTTP client for every outbound call of a service: transient failures are retried with jittered backoff, a
 * dead upstream is detected and failed fast, nothing is sent twice by accident, and every request carries the
 * caller's request id. The same retry + breaker + deadline policy is available for any async call
 * (`callWithProtection`, `createProtection`).
 *
 * @packageDocumentation
 */

export type { BreakerRegistry, CircuitState, RegistryStateChangeEvent } from '@resilience/circuit-breaker';
/** The breaker key of a URL (`scheme://host:port`): what `client.breakers.get()` takes for an upstream. */
export { CircuitOpenError, isCircuitOpenError, upstreamKey } from '@resilience/circuit-breaker';
/** Header carrying the request id on every outbound attempt: `@resilience/logging`'s own constant. */
export type {
  ConcurrencyLimitErrorDetails,
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  ConcurrencyLimitReason,
  Deadline,
  DeadlineOptions,
  DeadlineTimers,
  HedgePolicyOptions,
} from '@resilience/core';
export { ConcurrencyLimitError, createDeadline, isConcurrencyLimitError } from '@resilience/core';
export { REQUEST_ID_HEADER } from '@resilience/logging';
export type { CallWithProtectionOptions } from './call-with-protection.js';
export { callWithProtection } from './call-with-protection.js';
export type { HttpClient, HttpMethodConfig, HttpRequestConfig } from './create-http-client.js';
export { createHttpClient, IDEMPOTENCY_KEY_HEADER } from './create-http-client.js';
export { AbortError, isAbortError } from './errors/abort-error.js';
export type { DeadlineExceededErrorOptions } from './errors/deadline-exceeded-error.js';
export { DeadlineExceededError, isDeadlineExceededError } from './errors/deadline-exceeded-error.js';
export type { HttpClientErrorCode, HttpClientErrorOptions } from './errors/http-client-error.js';
export { HttpClientError, isHttpClientError } from './errors/http-client-error.js';
export type { HttpStatusErrorOptions } from './errors/http-status-error.js';
export { HttpStatusError, isHttpStatusError } from './errors/http-status-error.js';
export type { NetworkErrorOptions } from './errors/network-error.js';
export { isNetworkError, NetworkError } from './errors/network-error.js';
export type { ResponseTooLargeErrorOptions } from './errors/response-too-large-error.js';
export { isResponseTooLargeError, ResponseTooLargeError } from './errors/response-too-large-error.js';
export type { TimeoutErrorOptions } from './errors/timeout-error.js';
export { isTimeoutError, TimeoutError } from './errors/timeout-error.js';
export type {
  AttemptEvent,
  AttemptOutcome,
  CallInfo,
  GiveUpEvent,
  GiveUpReason,
  HedgeEvent,
  ProtectionHooks,
  RetryEvent,
} from './hooks.js';
export type {
  BreakerOptions,
  HttpClientOptions,
  HttpTransport,
  JitterMode,
  ProtectionLogger,
  ProtectionOptions,
  RetryBudgetOptions,
  RetryOptions,
  ShouldRetryContext,
} from './options.js';
export { HTTP_CLIENT_DEFAULTS } from './options.js';
export type { ProtectedCallContext, ProtectedCallOptions, Protection } from './protection.js';
export { createProtection } from './protection.js';
export {
  createUndiciAdapter,
  UNDICI_ADAPTER_DEFAULTS,
  type UndiciAdapter,
  type UndiciAdapterOptions,
} from './transport/undici-adapter.js';
