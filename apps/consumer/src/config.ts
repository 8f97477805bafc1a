import { isIP } from 'node:net';
import {
  createEnvReader,
  type EnvReader,
  formatConfigHelp,
  type Refusal,
  refuse,
} from '@resilience/http-server';

/** A request priority of the load shedder (`@resilience/http-server`), lowest shed first. */
export type ShedPriority = 'critical' | 'high' | 'normal' | 'low';
export const SHED_PRIORITIES: readonly ShedPriority[] = ['critical', 'high', 'normal', 'low'];

/** How inbound requests are limited: an adaptive (Gradient2) limit, a fixed one, or none. */
export type LoadSheddingMode = 'adaptive' | 'fixed' | 'off';
export const LOAD_SHEDDING_MODES: readonly LoadSheddingMode[] = ['adaptive', 'fixed', 'off'];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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
  /**
   * `UPSTREAM_MAX_BODY_BYTES`: largest upstream response body read, after decompression; a bigger one is an
   * upstream error (502). @default 4194304 (4 MiB)
   */
  readonly upstreamMaxBodyBytes: number;
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
  /** `LOAD_SHEDDING`: inbound concurrency limit, `adaptive` (Gradient2), `fixed` or `off`. @default 'adaptive' */
  readonly loadShedding: LoadSheddingMode;
  /** `SHED_LIMIT`: the fixed limit, or the adaptive limit's starting point. @default 20 */
  readonly shedLimit: number;
  /** `SHED_MIN_LIMIT`: floor of the adaptive limit (Netflix's Gradient2 default). @default 20 */
  readonly shedMinLimit: number;
  /** `SHED_MAX_LIMIT`: ceiling of the adaptive limit. @default 200 */
  readonly shedMaxLimit: number;
  /** `SHED_MAX_QUEUE`: requests that may wait for a slot. @default 50 */
  readonly shedMaxQueue: number;
  /** `SHED_MAX_QUEUE_MS`: longest wait for a slot before a request is answered 503. @default 5 */
  readonly shedMaxQueueMs: number;
  /** `SHED_PRIORITY_MAX_QUEUE_MS`: longest wait for a slot of a `high` or `critical` request. @default 100 */
  readonly shedPriorityMaxQueueMs: number;
  /** `SHED_RETRY_AFTER_SECONDS`: `Retry-After` of a shed request. @default 1 */
  readonly shedRetryAfterSeconds: number;
  /** `SHED_CHECKOUT_PRIORITY`: priority of `POST /checkout`. @default 'high' */
  readonly shedCheckoutPriority: ShedPriority;
  /** `SHED_CATALOG_PRIORITY`: priority of `GET /catalog` and `/catalog/:id`. @default 'normal' */
  readonly shedCatalogPriority: ShedPriority;
  /**
   * `UPSTREAM_HEDGE`: hedged catalog reads: `off`, `p95` (hedge after the upstream's observed p95 latency) or a
   * delay in ms. Order creation is never hedged.
   * @default 'off'
   */
  readonly upstreamHedge: 'off' | 'p95' | number;
  /** `UPSTREAM_HEDGE_MAX_ATTEMPTS`: most attempts per hedged round, the first included (2-5). @default 2 */
  readonly upstreamHedgeMaxAttempts: number;
  /** `UPSTREAM_HEDGE_MAX_EXTRA_RATIO`: hedges never exceed this share of upstream calls (0-1). @default 0.05 */
  readonly upstreamHedgeMaxExtraRatio: number;
}

const MIB = 1_048_576;

export const CONFIG_DEFAULTS: ConsumerConfig = {
  port: 3000,
  host: '127.0.0.1',
  logLevel: 'info',
  upstreamUrl: 'http://127.0.0.1:3001',
  upstreamApiKey: undefined,
  upstreamTimeoutMs: 15_000,
  upstreamMaxBodyBytes: 4 * MIB,
  retryMax: 3,
  retryBaseMs: 1_000,
  breakerFailureThreshold: 5,
  breakerResetMs: 60_000,
  requestDeadlineMs: 20_000,
  staleCacheTtlMs: 300_000,
  staleCacheMaxEntries: 1_000,
  shutdownTimeoutMs: 21_000,
  loadShedding: 'adaptive',
  shedLimit: 20,
  shedMinLimit: 20,
  shedMaxLimit: 200,
  shedMaxQueue: 50,
  shedMaxQueueMs: 5,
  shedPriorityMaxQueueMs: 100,
  shedRetryAfterSeconds: 1,
  shedCheckoutPriority: 'high',
  shedCatalogPriority: 'normal',
  upstreamHedge: 'off',
  upstreamHedgeMaxAttempts: 2,
  upstreamHedgeMaxExtraRatio: 0.05,
};

/** Added to REQUEST_DEADLINE_MS for the default drain time: room to write the last answers. */
export const SHUTDOWN_MARGIN_MS = 1_000;

type Env = Readonly<Record<string, string | undefined>>;

const DAY_MS = 86_400_000;
const PRINTABLE_ASCII = /^[\x21-\x7e]{1,255}$/;

/** Reads every variable through `reader` (which collects the problems). */
function readConfig(reader: EnvReader): ConsumerConfig {
  const d = CONFIG_DEFAULTS;
  const requestDeadlineMs = reader.integer('REQUEST_DEADLINE_MS', {
    description: 'total budget of one inbound request, upstream attempts and backoff included',
    default: d.requestDeadlineMs,
    min: 1,
    max: DAY_MS,
  });
  const config: ConsumerConfig = {
    port: reader.integer('PORT', {
      description: 'port to listen on (0 picks a free one)',
      default: d.port,
      min: 0,
      max: 65_535,
    }),
    host: reader.custom('HOST', {
      description: 'address to bind',
      default: d.host,
      accepted: 'an IP address (127.0.0.1, 0.0.0.0, ::) or a host name (localhost)',
      parse: parseHost,
    }),
    logLevel: reader.oneOf('LOG_LEVEL', {
      description: 'log level',
      default: d.logLevel,
      values: LOG_LEVELS,
    }),
    upstreamUrl: reader.custom('UPSTREAM_URL', {
      description: 'base URL of mock-api',
      default: d.upstreamUrl,
      accepted: 'an http(s) URL without credentials, query or fragment',
      parse: parseUpstreamUrl,
    }),
    upstreamApiKey: reader.string('UPSTREAM_API_KEY', {
      description: 'sent as X-API-Key on every upstream call (unset sends none)',
      default: d.upstreamApiKey,
      pattern: PRINTABLE_ASCII,
      accepted: '1-255 printable ASCII characters without spaces',
      secret: true,
    }),
    upstreamTimeoutMs: reader.integer('UPSTREAM_TIMEOUT_MS', {
      description: 'timeout of one upstream attempt',
      default: d.upstreamTimeoutMs,
      min: 1,
      max: DAY_MS,
    }),
    upstreamMaxBodyBytes: reader.integer('UPSTREAM_MAX_BODY_BYTES', {
      description: 'largest upstream response body read (after decompression); a bigger one is a 502',
      default: d.upstreamMaxBodyBytes,
      min: 1,
      // Upstream bodies are kept as strings, and V8 strings stop at about 512 Mi characters.
      max: 512 * MIB,
    }),
    retryMax: reader.integer('RETRY_MAX', {
      description: 'retries after the first attempt',
      default: d.retryMax,
      min: 0,
      max: 10,
    }),
    retryBaseMs: reader.integer('RETRY_BASE_MS', {
      description: 'first backoff delay; doubles per retry',
      default: d.retryBaseMs,
      min: 0,
      max: 600_000,
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
      max: DAY_MS,
    }),
    requestDeadlineMs,
    staleCacheTtlMs: reader.integer('STALE_CACHE_TTL_MS', {
      description: 'how long a good response may be served stale when the upstream fails',
      default: d.staleCacheTtlMs,
      min: 0,
      max: 7 * DAY_MS,
    }),
    upstreamHedge: reader.custom('UPSTREAM_HEDGE', {
      description: 'hedged catalog reads: off, p95 (after the observed p95 latency) or a delay in ms',
      default: d.upstreamHedge,
      accepted: 'off, p95 or an integer number of ms from 0 to 600000',
      parse: parseHedge,
    }),
    upstreamHedgeMaxAttempts: reader.integer('UPSTREAM_HEDGE_MAX_ATTEMPTS', {
      description: 'most attempts per hedged round, the first included',
      default: d.upstreamHedgeMaxAttempts,
      min: 2,
      max: 5,
    }),
    upstreamHedgeMaxExtraRatio: reader.custom('UPSTREAM_HEDGE_MAX_EXTRA_RATIO', {
      description: 'hedges never exceed this share of upstream calls',
      default: d.upstreamHedgeMaxExtraRatio,
      accepted: 'a number from 0 to 1, like 0.05',
      parse: parseRatio,
    }),
    staleCacheMaxEntries: reader.integer('STALE_CACHE_MAX_ENTRIES', {
      description: 'bound of the stale-if-error cache (least recently used evicted)',
      default: d.staleCacheMaxEntries,
      min: 0,
      max: 1_000_000,
    }),
    shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', {
      description: 'how long SIGTERM waits for in-flight requests to drain',
      default: requestDeadlineMs + SHUTDOWN_MARGIN_MS,
      defaultText: `REQUEST_DEADLINE_MS + ${SHUTDOWN_MARGIN_MS} (${d.shutdownTimeoutMs})`,
      min: 1,
      max: DAY_MS,
    }),
    loadShedding: reader.oneOf('LOAD_SHEDDING', {
      description: 'inbound concurrency limit: adaptive (Gradient2), fixed or off',
      default: d.loadShedding,
      values: LOAD_SHEDDING_MODES,
    }),
    shedLimit: reader.integer('SHED_LIMIT', {
      description: "the fixed limit, or the adaptive limit's starting point",
      default: d.shedLimit,
      min: 1,
      max: 100_000,
    }),
    shedMinLimit: reader.integer('SHED_MIN_LIMIT', {
      description: 'floor of the adaptive limit',
      default: d.shedMinLimit,
      min: 1,
      max: 100_000,
    }),
    shedMaxLimit: reader.integer('SHED_MAX_LIMIT', {
      description: 'ceiling of the adaptive limit',
      default: d.shedMaxLimit,
      min: 1,
      max: 100_000,
    }),
    shedMaxQueue: reader.integer('SHED_MAX_QUEUE', {
      description: 'requests that may wait for a slot',
      default: d.shedMaxQueue,
      min: 0,
      max: 100_000,
    }),
    shedMaxQueueMs: reader.integer('SHED_MAX_QUEUE_MS', {
      description: 'longest wait for a slot before a request is answered 503',
      default: d.shedMaxQueueMs,
      min: 0,
      max: 60_000,
    }),
    shedPriorityMaxQueueMs: reader.integer('SHED_PRIORITY_MAX_QUEUE_MS', {
      description: 'longest wait for a slot of a high or critical request (checkout by default)',
      default: d.shedPriorityMaxQueueMs,
      min: 0,
      max: 60_000,
    }),
    shedRetryAfterSeconds: reader.integer('SHED_RETRY_AFTER_SECONDS', {
      description: 'Retry-After of a shed request',
      default: d.shedRetryAfterSeconds,
      min: 0,
      max: 3_600,
    }),
    shedCheckoutPriority: reader.oneOf('SHED_CHECKOUT_PRIORITY', {
      description: 'shedding priority of POST /checkout',
      default: d.shedCheckoutPriority,
      values: SHED_PRIORITIES,
    }),
    shedCatalogPriority: reader.oneOf('SHED_CATALOG_PRIORITY', {
      description: 'shedding priority of GET /catalog and /catalog/:id',
      default: d.shedCatalogPriority,
      values: SHED_PRIORITIES,
    }),
  };
  checkAcrossVariables(reader, config);
  return config;
}

/** Settings that are valid one by one but cannot work together. */
function checkAcrossVariables(reader: EnvReader, config: ConsumerConfig): void {
  const limits = ['SHED_MIN_LIMIT', 'SHED_LIMIT', 'SHED_MAX_LIMIT'];
  if (
    config.loadShedding === 'adaptive' &&
    !limits.some((name) => reader.refused(name)) &&
    !(config.shedMinLimit <= config.shedLimit && config.shedLimit <= config.shedMaxLimit)
  ) {
    reader.problem(
      limits,
      `the adaptive limit needs SHED_MIN_LIMIT <= SHED_LIMIT <= SHED_MAX_LIMIT, got ${config.shedMinLimit}, ${config.shedLimit}, ${config.shedMaxLimit}`,
    );
  }
  const involved = ['UPSTREAM_TIMEOUT_MS', 'REQUEST_DEADLINE_MS'];
  if (involved.some((name) => reader.refused(name))) return;
  if (config.retryMax > 0 && config.upstreamTimeoutMs >= config.requestDeadlineMs) {
    reader.problem(
      involved,
      `one attempt may take UPSTREAM_TIMEOUT_MS=${config.upstreamTimeoutMs} ms, the whole REQUEST_DEADLINE_MS=${config.requestDeadlineMs} ms, so no retry could ever happen: make UPSTREAM_TIMEOUT_MS shorter than REQUEST_DEADLINE_MS (e.g. a third of it), or set RETRY_MAX=0`,
    );
  }
}

/**
 * Reads and validates the consumer's environment. Unset or empty variables take their default. Throws a
 * `ConfigError` naming every invalid variable and its accepted form, and every setting that cannot work with
 * another.
 */
export function loadConfig(env: Env = process.env): ConsumerConfig {
  const reader = createEnvReader('consumer', env);
  const config = readConfig(reader);
  reader.finish();
  return config;
}

/** The consumer's `--help`: every variable with its accepted form and default. */
export function configHelp(): string {
  const reader = createEnvReader('consumer', {});
  readConfig(reader);
  return formatConfigHelp({
    usage: 'Usage: node apps/consumer/dist/server.js [--help]',
    summary:
      'The consumer: serves /catalog and /checkout by calling mock-api through the resilient client (retries, breaker, deadline, stale cache).',
    variables: reader.variables,
  });
}

/** One DNS label (RFC 1123): letters, digits and inner hyphens, 1-63 characters. */
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Accepts what `server.listen(port, host)` can bind: a bare IPv4/IPv6 address or a host name. */
function parseHost(raw: string): string | Refusal {
  if (isIP(raw) !== 0) return raw;
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (name.length > 0 && name.length <= 253 && name.split('.').every((label) => HOST_LABEL.test(label))) {
    return raw;
  }
  return refuse(
    `expected an IP address or host name like 127.0.0.1, 0.0.0.0, :: or localhost, got ${JSON.stringify(raw)}`,
  );
}

function parseUpstreamUrl(raw: string): string | Refusal {
  const fail = (why: string): Refusal =>
    refuse(`expected an http(s) URL like http://127.0.0.1:3001 (${why})`);
  // `localhost:3001` parses as a URL whose scheme is "localhost:"; say what is really missing.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return fail(`${JSON.stringify(raw)} has no scheme: write http://${raw.replace(/^\/+/, '')}`);
  }
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

function parseHedge(raw: string): 'off' | 'p95' | number | Refusal {
  if (raw === 'off' || raw === 'p95') return raw;
  if (/^\d+$/.test(raw)) {
    const ms = Number(raw);
    if (ms <= 600_000) return ms;
  }
  return refuse(`expected off, p95 or a delay in ms from 0 to 600000, got ${JSON.stringify(raw)}`);
}

function parseRatio(raw: string): number | Refusal {
  const value = /^\d*\.?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (value >= 0 && value <= 1) return value;
  return refuse(`expected a number from 0 to 1 like 0.05, got ${JSON.stringify(raw)}`);
}
