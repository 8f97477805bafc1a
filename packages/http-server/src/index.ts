/**
 * Run an Express service in production: Prometheus HTTP metrics by route template, one parseable `listening` line
 * with the real port, sane server timeouts, a graceful shutdown that drains in-flight requests, and environment
 * configuration read and validated in one place.
 *
 * @packageDocumentation
 */

/** The limiter a load shedder admits requests through: `@resilience/core`'s, re-exported for Express apps. */
export type {
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
} from '@resilience/core';
export { createConcurrencyLimiter } from '@resilience/core';
export type { HttpMetrics, HttpMetricsOptions } from './create-http-metrics.js';
export {
  CLIENT_CLOSED_STATUS,
  createHttpMetrics,
  DEFAULT_HTTP_METRICS_OPTIONS,
  LINT_FAILING_DEFAULT_METRICS,
  UNMATCHED_ROUTE,
} from './create-http-metrics.js';
export type { LoadShedder, LoadShedderOptions, RequestPriority } from './create-load-shedder.js';
export { createLoadShedder, DEFAULT_LOAD_SHEDDER_OPTIONS } from './create-load-shedder.js';
export type {
  ConfigProblem,
  CustomSpec,
  DescribedVariable,
  EnvReader,
  IntegerSpec,
  OneOfSpec,
  Refusal,
  StringSpec,
  VariableSpec,
} from './env-config.js';
export { ConfigError, createEnvReader, formatConfigHelp, isConfigError, refuse } from './env-config.js';
export type { GracefulShutdown, GracefulShutdownOptions } from './graceful-shutdown.js';
export { DEFAULT_GRACEFUL_SHUTDOWN_OPTIONS, installGracefulShutdown } from './graceful-shutdown.js';
export type { ListeningServer, ListenOptions } from './listen.js';
export { DEFAULT_LISTEN_OPTIONS, isListenError, ListenError, listen } from './listen.js';
export type { ServerLogger } from './logger.js';
