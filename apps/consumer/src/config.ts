import { isIP } from 'node:net';
import { ConfigError, type ConfigProblem } from './errors/config-error.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The consumer's fully resolved configuration. Every field comes from one environment variable. */
export interface ConsumerConfig {
  /** `PORT`: port to listen on; 0 picks a free one. @default 3000 */
  readonly port: number;
  /** `HOST`: address to bind, an IP address (`0.0.0.0`, `::`) or a host name (`localhost`). @default '127.0.0.1' */
  readonly host: string;
  /** `LOG_LEVEL`: pino level. @default 'info' */
  readonly logLevel: LogLevel;
  /** `UPSTREAM_URL`: base URL of mock-api (http or https, no query). @default 'http://127.0.0.1:3001' */
  readonly upstreamUrl: string;
  /** `UPSTREAM_API_KEY`: sent as `X-API-Key` on every upstream call; unset sends none. @default undefined */
  readonly upstreamApiKey: string | undefined;
  /** `UPSTREAM_TIMEOUT_MS`: timeout of one upstream attempt. @default 15000 */
  readonly upstreamTimeoutMs: number;
  /** `RETRY_MAX`: retries after the first attempt. @default 3 */
  readonly retryMax: number;
  /** `RETRY_BASE_MS`: first backoff delay; doubles per retry. @default 1000 */
  readonly retryBaseMs: number;
  /** `BREAKER_FAILURE_THRESHOLD`: consecutive failed attempts that open the breaker. @default 5 */
  readonly breakerFailureThreshold: number;
  /** `BREAKER_RESET_MS`: time the breaker stays open before one trial call. @default 60000 */
  readonly breakerResetMs: number;
  /** `REQUEST_DEADLINE_MS`: total budget for one inbound request, upstream attempts and backoff included. @default 20000 */
  readonly requestDeadlineMs: number;
  /** `STALE_CACHE_TTL_MS`: how long a good response may be served stale when the upstream fails. @default 300000 */
  readonly staleCacheTtlMs: number;
  /** `STALE_CACHE_MAX_ENTRIES`: bound of the stale-if-error cache (least recently used evicted). @default 1000 */
  readonly staleCacheMaxEntries: number;
  /**
   * `SHUTDOWN_TIMEOUT_MS`: how long a SIGTERM waits for in-flight requests to drain. The default lets every
   * in-flight request reach its own deadline and be answered.
   * @default REQUEST_DEADLINE_MS + 1000 (21000)
   */
  readonly shutdownTimeoutMs: number;
}

export const CONFIG_DEFAULTS: ConsumerConfig = {
  port: 3000,
  host: '127.0.0.1',
  logLevel: 'info',
  upstreamUrl: 'http://127.0.0.1:3001',
  upstreamApiKey: undefined,
  upstreamTimeoutMs: 15_000,
  retryMax: 3,
  retryBaseMs: 1_000,
  breakerFailureThreshold: 5,
  breakerResetMs: 60_000,
  requestDeadlineMs: 20_000,
  staleCacheTtlMs: 300_000,
  staleCacheMaxEntries: 1_000,
  shutdownTimeoutMs: 21_000,
};

/** Added to REQUEST_DEADLINE_MS for the default drain time: room to write the last answers. */
export const SHUTDOWN_MARGIN_MS = 1_000;

type Env = Readonly<Record<string, string | undefined>>;

interface IntRule {
  readonly min: number;
  readonly max: number;
}

const DAY_MS = 86_400_000;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Reads and validates the consumer's environment. Unset or empty variables take their default. Throws a
 * `ConfigError` naming every invalid variable and its accepted form.
 */
export function loadConfig(env: Env = process.env): ConsumerConfig {
  const problems: ConfigProblem[] = [];
  const read = (variable: string): string | undefined => {
    const raw = env[variable]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const int = (variable: string, fallback: number, rule: IntRule): number => {
    const raw = read(variable);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
      problems.push({
        variable,
        message: `expected an integer from ${rule.min} to ${rule.max}, got ${JSON.stringify(raw)}`,
      });
      return fallback;
    }
    return value;
  };

  const logLevelRaw = read('LOG_LEVEL')?.toLowerCase();
  let logLevel = CONFIG_DEFAULTS.logLevel;
  if (logLevelRaw !== undefined) {
    if ((LOG_LEVELS as readonly string[]).includes(logLevelRaw)) logLevel = logLevelRaw as LogLevel;
    else
      problems.push({
        variable: 'LOG_LEVEL',
        message: `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevelRaw)}`,
      });
  }

  const host = parseHost(read('HOST'), problems);
  const upstreamUrl = parseUpstreamUrl(read('UPSTREAM_URL'), problems);

  const upstreamApiKey = read('UPSTREAM_API_KEY');
  if (
    upstreamApiKey !== undefined &&
    (!PRINTABLE_ASCII.test(upstreamApiKey) || upstreamApiKey.length > 255)
  ) {
    problems.push({
      variable: 'UPSTREAM_API_KEY',
      message: 'expected 1-255 printable ASCII characters without spaces',
    });
  }

  const requestDeadlineMs = int('REQUEST_DEADLINE_MS', CONFIG_DEFAULTS.requestDeadlineMs, {
    min: 1,
    max: DAY_MS,
  });
  const config: ConsumerConfig = {
    port: int('PORT', CONFIG_DEFAULTS.port, { min: 0, max: 65_535 }),
    host,
    logLevel,
    upstreamUrl,
    upstreamApiKey,
    upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', CONFIG_DEFAULTS.upstreamTimeoutMs, { min: 1, max: DAY_MS }),
    retryMax: int('RETRY_MAX', CONFIG_DEFAULTS.retryMax, { min: 0, max: 10 }),
    retryBaseMs: int('RETRY_BASE_MS', CONFIG_DEFAULTS.retryBaseMs, { min: 0, max: 600_000 }),
    breakerFailureThreshold: int('BREAKER_FAILURE_THRESHOLD', CONFIG_DEFAULTS.breakerFailureThreshold, {
      min: 1,
      max: 1_000,
    }),
    breakerResetMs: int('BREAKER_RESET_MS', CONFIG_DEFAULTS.breakerResetMs, { min: 1, max: DAY_MS }),
    requestDeadlineMs,
    staleCacheTtlMs: int('STALE_CACHE_TTL_MS', CONFIG_DEFAULTS.staleCacheTtlMs, { min: 0, max: 7 * DAY_MS }),
    staleCacheMaxEntries: int('STALE_CACHE_MAX_ENTRIES', CONFIG_DEFAULTS.staleCacheMaxEntries, {
      min: 0,
      max: 1_000_000,
    }),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', requestDeadlineMs + SHUTDOWN_MARGIN_MS, {
      min: 1,
      max: DAY_MS,
    }),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** One DNS label (RFC 1123): letters, digits and inner hyphens, 1-63 characters. */
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Accepts what `server.listen(port, host)` can bind: a bare IPv4/IPv6 address or a host name. */
function parseHost(raw: string | undefined, problems: ConfigProblem[]): string {
  if (raw === undefined) return CONFIG_DEFAULTS.host;
  if (isIP(raw) !== 0) return raw;
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (name.length > 0 && name.length <= 253 && name.split('.').every((label) => HOST_LABEL.test(label))) {
    return raw;
  }
  problems.push({
    variable: 'HOST',
    message: `expected an IP address or host name like 127.0.0.1, 0.0.0.0, :: or localhost, got ${JSON.stringify(raw)}`,
  });
  return CONFIG_DEFAULTS.host;
}

function parseUpstreamUrl(raw: string | undefined, problems: ConfigProblem[]): string {
  if (raw === undefined) return CONFIG_DEFAULTS.upstreamUrl;
  const fail = (why: string): string => {
    problems.push({
      variable: 'UPSTREAM_URL',
      message: `expected an http(s) URL like http://127.0.0.1:3001 (${why})`,
    });
    return CONFIG_DEFAULTS.upstreamUrl;
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return fail(`protocol ${url.protocol} is not supported`);
  if (url.username !== '' || url.password !== '') return fail('credentials in the URL are not allowed');
  if (url.search !== '' || url.hash !== '') return fail('no query string or fragment');
  return url.href.replace(/\/+$/, '');
}
