import { createHttpClient, type HttpClient, type ProtectionHooks } from '@resilience/http-client';
import type { Logger } from '@resilience/logging';
import type { WorkerConfig } from './config.js';

export interface UpstreamClientOptions {
  readonly logger: Logger;
  /** Retry and attempt events, e.g. for metrics. @default none */
  readonly hooks?: ProtectionHooks;
}

/** The resilient client the worker polls with, configured from the environment. */
export function createUpstreamClient(config: WorkerConfig, options: UpstreamClientOptions): HttpClient {
  return createHttpClient({
    timeoutMs: config.upstreamTimeoutMs,
    deadlineMs: config.requestDeadlineMs,
    retry: { retries: config.retryMax, baseDelayMs: config.retryBaseMs },
    breaker: { failureThreshold: config.breakerFailureThreshold, resetTimeoutMs: config.breakerResetMs },
    logger: options.logger,
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });
}
