import { randomBytes } from 'node:crypto';
import { appServerScript } from '../app-entry-points.js';
import type { RunMode, ScenarioContext } from '../scenario-definition.js';
import type { RunningService } from '../service.js';

/** API key the consumer uses: a tier so high that mock-api never limits the consumer during a run. */
export const CONSUMER_API_KEY = 'load-consumer';
const CONSUMER_TIER = { perMinute: 1_000_000, perHour: 100_000_000 };

/** Services' own log level; `info` because the listening line (which carries the port) is logged at info. */
const LOG_LEVEL = 'info';

/** A fresh admin token per service start. */
export function adminToken(): string {
  return randomBytes(16).toString('hex');
}

export interface MockApiOptions {
  readonly name?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts mock-api with fault injection on and the consumer's key known. */
export async function startMockApi(
  context: ScenarioContext,
  options: MockApiOptions = {},
): Promise<{ service: RunningService; adminToken: string }> {
  const token = adminToken();
  const service = await context.startService({
    name: options.name ?? 'mock-api',
    args: [appServerScript('mock-api')],
    env: {
      HOST: '127.0.0.1',
      LOG_LEVEL,
      FAULTS_ENABLED: 'true',
      ADMIN_TOKEN: token,
      API_KEYS: `${CONSUMER_API_KEY}:${CONSUMER_TIER.perMinute}:${CONSUMER_TIER.perHour}`,
      ...options.env,
    },
  });
  return { service, adminToken: token };
}

/**
 * Consumer settings for the load scenarios. Short backoff and breaker reset so each phase fits in a bounded
 * run; a failure threshold of 10 so that independent 10 % faults (p = 1e-10 for ten in a row) never open the
 * breaker while a real outage opens it within a fraction of a second at this load.
 */
export function consumerEnv(mode: RunMode, upstreamUrl: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    LOG_LEVEL,
    UPSTREAM_URL: upstreamUrl,
    UPSTREAM_API_KEY: CONSUMER_API_KEY,
    UPSTREAM_TIMEOUT_MS: '1000',
    RETRY_MAX: '3',
    RETRY_BASE_MS: '50',
    BREAKER_FAILURE_THRESHOLD: '10',
    BREAKER_RESET_MS: mode === 'smoke' ? '3000' : '10000',
    REQUEST_DEADLINE_MS: '2500',
    STALE_CACHE_TTL_MS: '600000',
    STALE_CACHE_MAX_ENTRIES: '1000',
  };
}

export interface ConsumerOptions {
  /** @default 'consumer' */
  readonly name?: string;
  /** The consumer's environment on top of `consumerEnv`. @default none */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startConsumer(
  context: ScenarioContext,
  upstreamUrl: string,
  options: ConsumerOptions = {},
): Promise<RunningService> {
  return context.startService({
    name: options.name ?? 'consumer',
    args: [appServerScript('consumer')],
    env: { ...consumerEnv(context.mode, upstreamUrl), ...options.env },
  });
}

/** `KEY=value` notes for the report, for the variables worth showing. */
export function describeEnv(service: RunningService, names: readonly string[]): string {
  return `${service.name}: ${names
    .filter((name) => service.env[name] !== undefined)
    .map((name) => `${name}=${service.env[name]}`)
    .join(' ')}`;
}
