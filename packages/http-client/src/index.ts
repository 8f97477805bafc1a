export type { BreakerRegistry, CircuitState, RegistryStateChangeEvent } from '@resilience/circuit-breaker';
/** The breaker key of a URL (`scheme://host:port`): what `client.breakers.get()` takes for an upstream. */
export { CircuitOpenError, isCircuitOpenError, upstreamKey } from '@resilience/circuit-breaker';
/** Header carrying the request id on every outbound attempt: `@resilience/logging`'s own constant. */
export { REQUEST_ID_HEADER } from '@resilience/logging';
export type { CallWithProtectionOptions } from './call-with-protection.js';
export { callWithProtection } from './call-with-protection.js';
export type { HttpClient, HttpMethodConfig, HttpRequestConfig } from './create-http-client.js';
export { createHttpClient, IDEMPOTENCY_KEY_HEADER } from './create-http-client.js';
export { AbortError, isAbortError } from './errors/abort-error.js';
export { DeadlineExceededError, isDeadlineExceededError } from './errors/deadline-exceeded-error.js';
export type { HttpClientErrorCode } from './errors/http-client-error.js';
export { HttpClientError, isHttpClientError } from './errors/http-client-error.js';
export { HttpStatusError, isHttpStatusError } from './errors/http-status-error.js';
export { isNetworkError, NetworkError } from './errors/network-error.js';
export { isResponseTooLargeError, ResponseTooLargeError } from './errors/response-too-large-error.js';
export { isTimeoutError, TimeoutError } from './errors/timeout-error.js';
export type {
  AttemptEvent,
  AttemptOutcome,
  CallInfo,
  GiveUpEvent,
  GiveUpReason,
  ProtectionHooks,
  RetryEvent,
} from './hooks.js';
export type {
  BreakerOptions,
  HttpClientOptions,
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
