import { createEnvReader, type EnvReader, formatConfigHelp } from '@resilience/http-server';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Everything the example reads from its environment, resolved. */
export interface ExpressApiConfig {
  /** `PORT`: port to listen on; 0 picks a free one. @default 3100 */
  readonly port: number;
  /** `HOST`: address to bind. @default '127.0.0.1' */
  readonly host: string;
  /** `LOG_LEVEL`: lowest level written. @default 'info' */
  readonly logLevel: LogLevel;
  /** `RATE_LIMIT_PER_MINUTE`: requests to `/hello` per client IP per minute. @default 5 */
  readonly rateLimitPerMinute: number;
  /** `SHUTDOWN_TIMEOUT_MS`: how long SIGTERM waits for in-flight requests. @default 10000 */
  readonly shutdownTimeoutMs: number;
}

export const CONFIG_DEFAULTS: ExpressApiConfig = {
  port: 3100,
  host: '127.0.0.1',
  logLevel: 'info',
  rateLimitPerMinute: 5,
  shutdownTimeoutMs: 10_000,
};

type Env = Readonly<Record<string, string | undefined>>;

function readConfig(reader: EnvReader): ExpressApiConfig {
  const d = CONFIG_DEFAULTS;
  return {
    port: reader.integer('PORT', {
      description: 'port to listen on (0 picks a free one)',
      default: d.port,
      min: 0,
      max: 65_535,
    }),
    host: reader.string('HOST', { description: 'address to bind', default: d.host }),
    logLevel: reader.oneOf('LOG_LEVEL', {
      description: 'log level',
      default: d.logLevel,
      values: LOG_LEVELS,
    }),
    rateLimitPerMinute: reader.integer('RATE_LIMIT_PER_MINUTE', {
      description: 'requests to /hello per client IP per minute',
      default: d.rateLimitPerMinute,
      min: 1,
      max: 1_000_000,
    }),
    shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', {
      description: 'how long SIGTERM waits for in-flight requests to finish',
      default: d.shutdownTimeoutMs,
      min: 1,
      max: 600_000,
    }),
  };
}

/** Reads and validates the environment; throws a `ConfigError` naming every invalid variable. */
export function loadConfig(env: Env = process.env): ExpressApiConfig {
  const reader = createEnvReader('express-api example', env);
  const config = readConfig(reader);
  reader.finish();
  return config;
}

/** `--help`: every variable with its accepted form and default. */
export function configHelp(): string {
  const reader = createEnvReader('express-api example', {});
  readConfig(reader);
  return formatConfigHelp({
    usage: 'Usage: node dist/server.js [--help]',
    summary:
      'An Express 5 API with request ids, metrics, graceful shutdown and a per-IP rate limit on /hello.',
    variables: reader.variables,
  });
}
