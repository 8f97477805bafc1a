import { createEnvReader, type EnvReader, formatConfigHelp } from '@resilience/http-server';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Everything the example reads from its environment, resolved. */
export interface GuardedCallConfig {
  /** `QUEUE_FLAKY_FAILURES`: how many publishes fail before the first message goes through. @default 2 */
  readonly flakyFailures: number;
  /** `CALL_TIMEOUT_MS`: limit of one publish attempt. @default 1000 */
  readonly callTimeoutMs: number;
  /** `RETRY_MAX`: retries after the first attempt. @default 3 */
  readonly retryMax: number;
  /** `RETRY_BASE_MS`: first backoff delay, doubled per retry (with jitter). @default 200 */
  readonly retryBaseMs: number;
  /** `BREAKER_FAILURE_THRESHOLD`: consecutive failed attempts that open the breaker. @default 3 */
  readonly breakerFailureThreshold: number;
  /** `BREAKER_RESET_MS`: time the breaker stays open before one trial call. @default 2000 */
  readonly breakerResetMs: number;
  /** `LOG_LEVEL`: lowest level written. @default 'info' */
  readonly logLevel: LogLevel;
}

export const CONFIG_DEFAULTS: GuardedCallConfig = {
  flakyFailures: 2,
  callTimeoutMs: 1_000,
  retryMax: 3,
  retryBaseMs: 200,
  breakerFailureThreshold: 3,
  breakerResetMs: 2_000,
  logLevel: 'info',
};

type Env = Readonly<Record<string, string | undefined>>;
const HOUR_MS = 3_600_000;

function readConfig(reader: EnvReader): GuardedCallConfig {
  const d = CONFIG_DEFAULTS;
  const config: GuardedCallConfig = {
    flakyFailures: reader.integer('QUEUE_FLAKY_FAILURES', {
      description: 'publishes that fail before the first message goes through',
      default: d.flakyFailures,
      min: 0,
      max: 10,
    }),
    callTimeoutMs: reader.integer('CALL_TIMEOUT_MS', {
      description: 'limit of one publish attempt',
      default: d.callTimeoutMs,
      min: 1,
      max: HOUR_MS,
    }),
    retryMax: reader.integer('RETRY_MAX', {
      description: 'retries after the first attempt',
      default: d.retryMax,
      min: 0,
      max: 10,
    }),
    retryBaseMs: reader.integer('RETRY_BASE_MS', {
      description: 'first backoff delay, doubled per retry',
      default: d.retryBaseMs,
      min: 0,
      max: HOUR_MS,
    }),
    breakerFailureThreshold: reader.integer('BREAKER_FAILURE_THRESHOLD', {
      description: 'consecutive failed attempts that open the breaker',
      default: d.breakerFailureThreshold,
      min: 1,
      max: 1_000,
    }),
    breakerResetMs: reader.integer('BREAKER_RESET_MS', {
      description: 'time the breaker stays open before one trial call',
      default: d.breakerResetMs,
      min: 1,
      max: HOUR_MS,
    }),
    logLevel: reader.oneOf('LOG_LEVEL', {
      description: 'log level',
      default: d.logLevel,
      values: LOG_LEVELS,
    }),
  };
  return config;
}

/** Reads and validates the environment; throws a `ConfigError` naming every invalid variable. */
export function loadConfig(env: Env = process.env): GuardedCallConfig {
  const reader = createEnvReader('guarded-call example', env);
  const config = readConfig(reader);
  reader.finish();
  return config;
}

/** `--help`: every variable with its accepted form and default. */
export function configHelp(): string {
  const reader = createEnvReader('guarded-call example', {});
  readConfig(reader);
  return formatConfigHelp({
    usage: 'Usage: node dist/main.js [--help]',
    summary:
      'Publishes four messages to a flaky in-process queue under createProtection (retries, attempt timeout, breaker) and shows the breaker open and close.',
    variables: reader.variables,
  });
}
