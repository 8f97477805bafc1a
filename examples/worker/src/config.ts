import {
  createEnvReader,
  type EnvReader,
  formatConfigHelp,
  type Refusal,
  refuse,
} from '@resilience/http-server';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Everything the worker reads from its environment, resolved. */
export interface WorkerConfig {
  /** `UPSTREAM_URL`: the URL polled with GET. @default 'http://127.0.0.1:3001/api/items' (mock-api) */
  readonly upstreamUrl: string;
  /** `POLL_INTERVAL_MS`: pause between the end of one poll and the start of the next. @default 5000 */
  readonly pollIntervalMs: number;
  /** `UPSTREAM_TIMEOUT_MS`: limit of one attempt. @default 2000 */
  readonly upstreamTimeoutMs: number;
  /** `REQUEST_DEADLINE_MS`: limit of one poll, every attempt and backoff included. @default 10000 */
  readonly requestDeadlineMs: number;
  /** `RETRY_MAX`: retries after the first attempt. @default 3 */
  readonly retryMax: number;
  /** `RETRY_BASE_MS`: first backoff delay, doubled per retry (with jitter). @default 500 */
  readonly retryBaseMs: number;
  /** `BREAKER_FAILURE_THRESHOLD`: consecutive failed attempts that open the breaker. @default 5 */
  readonly breakerFailureThreshold: number;
  /** `BREAKER_RESET_MS`: time the breaker stays open before one trial call. @default 30000 */
  readonly breakerResetMs: number;
  /** `LOG_LEVEL`: lowest level written. @default 'info' */
  readonly logLevel: LogLevel;
}

export const CONFIG_DEFAULTS: WorkerConfig = {
  upstreamUrl: 'http://127.0.0.1:3001/api/items',
  pollIntervalMs: 5_000,
  upstreamTimeoutMs: 2_000,
  requestDeadlineMs: 10_000,
  retryMax: 3,
  retryBaseMs: 500,
  breakerFailureThreshold: 5,
  breakerResetMs: 30_000,
  logLevel: 'info',
};

type Env = Readonly<Record<string, string | undefined>>;
const HOUR_MS = 3_600_000;

function parseUrl(raw: string): string | Refusal {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(`expected an http(s) URL like http://127.0.0.1:3001/api/items, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse(`expected an http(s) URL, got protocol ${url.protocol}`);
  }
  return url.href;
}

function readConfig(reader: EnvReader): WorkerConfig {
  const d = CONFIG_DEFAULTS;
  const ms = (name: string, description: string, fallback: number, min = 1) =>
    reader.integer(name, { description, default: fallback, min, max: HOUR_MS });
  const config: WorkerConfig = {
    upstreamUrl: reader.custom('UPSTREAM_URL', {
      description: 'the URL polled with GET',
      default: d.upstreamUrl,
      accepted: 'an http(s) URL',
      parse: parseUrl,
    }),
    pollIntervalMs: ms('POLL_INTERVAL_MS', 'pause between two polls', d.pollIntervalMs),
    upstreamTimeoutMs: ms('UPSTREAM_TIMEOUT_MS', 'limit of one attempt', d.upstreamTimeoutMs),
    requestDeadlineMs: ms(
      'REQUEST_DEADLINE_MS',
      'limit of one poll, attempts and backoff included',
      d.requestDeadlineMs,
    ),
    retryMax: reader.integer('RETRY_MAX', {
      description: 'retries after the first attempt',
      default: d.retryMax,
      min: 0,
      max: 10,
    }),
    retryBaseMs: ms('RETRY_BASE_MS', 'first backoff delay, doubled per retry', d.retryBaseMs, 0),
    breakerFailureThreshold: reader.integer('BREAKER_FAILURE_THRESHOLD', {
      description: 'consecutive failed attempts that open the breaker',
      default: d.breakerFailureThreshold,
      min: 1,
      max: 1_000,
    }),
    breakerResetMs: ms(
      'BREAKER_RESET_MS',
      'time the breaker stays open before one trial call',
      d.breakerResetMs,
    ),
    logLevel: reader.oneOf('LOG_LEVEL', {
      description: 'log level',
      default: d.logLevel,
      values: LOG_LEVELS,
    }),
  };
  const involved = ['UPSTREAM_TIMEOUT_MS', 'REQUEST_DEADLINE_MS'];
  if (
    config.retryMax > 0 &&
    config.upstreamTimeoutMs >= config.requestDeadlineMs &&
    !involved.some((name) => reader.refused(name))
  ) {
    reader.problem(
      involved,
      `an attempt may take the whole deadline (${config.upstreamTimeoutMs} >= ${config.requestDeadlineMs} ms), so no retry could happen: make UPSTREAM_TIMEOUT_MS shorter than REQUEST_DEADLINE_MS, or set RETRY_MAX=0`,
    );
  }
  return config;
}

/** Reads and validates the environment; throws a `ConfigError` naming every invalid variable. */
export function loadConfig(env: Env = process.env): WorkerConfig {
  const reader = createEnvReader('worker example', env);
  const config = readConfig(reader);
  reader.finish();
  return config;
}

/** `--help`: every variable with its accepted form and default. */
export function configHelp(): string {
  const reader = createEnvReader('worker example', {});
  readConfig(reader);
  return formatConfigHelp({
    usage: 'Usage: node dist/main.js [--help]',
    summary:
      'Polls UPSTREAM_URL through the resilient HTTP client (retries, breaker, deadline) until SIGTERM.',
    variables: reader.variables,
  });
}
