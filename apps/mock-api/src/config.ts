import {
  createEnvReader,
  type EnvReader,
  formatConfigHelp,
  isConfigError as isEnvConfigError,
  type Refusal,
  refuse,
} from '@resilience/http-server';
import { describeInvalidAddress } from '@resilience/rate-limit';
import { ConfigError } from './errors/config-error.js';

/** pino levels, plus `silent`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** What the rate limiter does when its store fails: let the request through, or answer 503. */
export type StoreErrorPolicy = 'open' | 'closed';

/**
 * Express `trust proxy`: `false` (X-Forwarded-For ignored), a hop count, or a list of trusted proxy
 * addresses, CIDR ranges and the names `loopback`, `linklocal`, `uniquelocal`.
 */
export type TrustProxySetting = false | number | readonly string[];

/** Limits for one API key. */
export interface ApiKeyTier {
  readonly perMinute: number;
  readonly perHour: number;
}

export interface RateLimitConfig {
  /** Requests per client per minute across all `/api` endpoints. @default 10 */
  readonly perMinute: number;
  /** Requests per client per hour across all `/api` endpoints. @default 100 */
  readonly perHour: number;
  /** @default 'open' */
  readonly onStoreError: StoreErrorPolicy;
  /** Addresses and CIDR ranges never limited. @default [] */
  readonly allowlist: readonly string[];
  /** Known API keys and their tiers. @default empty */
  readonly apiKeys: ReadonlyMap<string, ApiKeyTier>;
  /** How both windows count: fixed windows, or the sliding-window counter. @default 'fixed' */
  readonly algorithm: RateLimitAlgorithm;
}

/** The rate-limit package's algorithms: `fixed` windows, or the `sliding` window counter. */
export type RateLimitAlgorithm = 'fixed' | 'sliding';

export interface RedisConfig {
  /**
   * `redis://` or `rediss://` URL, as given (it may hold a password: log {@link redactRedisUrl} of it); on a
   * cluster, its first seed node (named in logs and errors).
   */
  readonly url: string;
  /** The seed nodes of a Redis Cluster (`REDIS_CLUSTER_NODES`); `undefined` = one Redis at `url`. */
  readonly clusterNodes: readonly string[] | undefined;
  /** Prepended to every key this service writes. @default 'mock-api:' */
  readonly keyPrefix: string;
  /** Longest wait for one Redis command before it counts as failed. @default 1000 */
  readonly commandTimeoutMs: number;
}

export interface FaultsConfig {
  /** @default false */
  readonly enabled: boolean;
  /** Bearer token for `/__admin/faults`; required when `enabled`. */
  readonly adminToken: string | undefined;
}

/** The whole, validated configuration of the service. */
export interface MockApiConfig {
  /** @default 3001 (0 = an ephemeral port) */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host: string;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  readonly rateLimit: RateLimitConfig;
  /** @default false */
  readonly trustProxy: TrustProxySetting;
  /** `undefined` = in-memory stores. */
  readonly redis: RedisConfig | undefined;
  readonly faults: FaultsConfig;
  /** How long SIGTERM waits for in-flight requests. @default 10000 */
  readonly shutdownTimeoutMs: number;
  /** The server's own bound on one request (also ends a `hang` fault). @default 30000 */
  readonly requestTimeoutMs: number;
}

/** The environment variables `loadConfig` reads. */
export type MockApiEnv = Readonly<Record<string, string | undefined>>;

/** Every default, in one place. */
export const CONFIG_DEFAULTS = {
  port: 3001,
  host: '127.0.0.1',
  logLevel: 'info',
  perMinute: 10,
  perHour: 100,
  onStoreError: 'open',
  algorithm: 'fixed',
  redisKeyPrefix: 'mock-api:',
  redisCommandTimeoutMs: 1000,
  faultsEnabled: false,
  shutdownTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const STORE_ERROR_POLICIES: readonly StoreErrorPolicy[] = ['open', 'closed'];
const ALGORITHMS: readonly RateLimitAlgorithm[] = ['fixed', 'sliding'];
const TRUST_PROXY_NAMES: readonly string[] = ['loopback', 'linklocal', 'uniquelocal'];
const MAX_LIMIT = 1_000_000_000;
const TRUST_PROXY_ACCEPTED =
  'false or 0 (off), a hop count 1-16, or a comma list of proxy addresses, CIDR ranges and loopback, linklocal, uniquelocal (true is refused)';
const API_KEYS_ACCEPTED = 'a comma list of key:perMinute:perHour (key: 8-128 of A-Z a-z 0-9 . _ -)';
const REDIS_URL_ACCEPTED = 'redis://[user:password@]host[:port][/db] or rediss://…';
const CLUSTER_NODES_ACCEPTED = 'a comma list of redis://[user:password@]host:port (or rediss://) seed nodes';

/** Reads every variable through `reader` (which collects the problems), in the order `--help` lists them. */
function readConfig(reader: EnvReader): MockApiConfig {
  const d = CONFIG_DEFAULTS;
  const port = reader.integer('PORT', {
    description: 'port to listen on (0 picks a free one; the listening line carries the real one)',
    default: d.port,
    min: 0,
    max: 65_535,
  });
  const host = reader.string('HOST', {
    description: 'address to bind',
    default: d.host,
    pattern: /^[A-Za-z0-9.:_-]{1,253}$/,
    accepted: 'a host name or IP address (e.g. 127.0.0.1, 0.0.0.0, ::)',
  });
  const logLevel = reader.oneOf('LOG_LEVEL', {
    description: 'log level',
    default: d.logLevel,
    values: LOG_LEVELS,
  });
  const perMinute = reader.integer('RATE_LIMIT_PER_MINUTE', {
    description: 'requests per client per minute, all /api endpoints together',
    default: d.perMinute,
    min: 1,
    max: MAX_LIMIT,
  });
  const perHour = reader.integer('RATE_LIMIT_PER_HOUR', {
    description: 'requests per client per hour, all /api endpoints together',
    default: d.perHour,
    min: 1,
    max: MAX_LIMIT,
  });
  const onStoreError = reader.oneOf('RATE_LIMIT_ON_STORE_ERROR', {
    description:
      'when the rate-limit store fails: open (count in an in-process insurance limiter) or closed (answer 503)',
    default: d.onStoreError,
    values: STORE_ERROR_POLICIES,
  });
  const algorithm = reader.oneOf('RATE_LIMIT_ALGORITHM', {
    description:
      'how both windows count: fixed (a counter per window) or sliding (weighted with the previous window)',
    default: d.algorithm,
    values: ALGORITHMS,
  });
  const allowlist = reader.custom<readonly string[]>('RATE_LIMIT_ALLOWLIST', {
    description: 'addresses never rate limited',
    default: Object.freeze([]),
    defaultText: '(empty)',
    accepted: 'a comma list of IP addresses and CIDR ranges, IPv4 or IPv6 (10.0.0.0/8, ::1)',
    parse: parseAllowlist,
  });
  const apiKeys = reader.custom<ReadonlyMap<string, ApiKeyTier>>('API_KEYS', {
    description: 'known API keys, each limited per key at its own tier instead of per address',
    default: new Map(),
    defaultText: '(empty)',
    accepted: API_KEYS_ACCEPTED,
    parse: parseApiKeys,
  });
  const trustProxy = reader.custom<TrustProxySetting>('TRUST_PROXY', {
    description: 'proxies in front whose X-Forwarded-For is believed',
    default: false,
    defaultText: 'false (X-Forwarded-For ignored)',
    accepted: TRUST_PROXY_ACCEPTED,
    parse: parseTrustProxy,
  });
  const redisUrl = reader.custom<string | undefined>('REDIS_URL', {
    description:
      'Redis for rate-limit counters, orders and idempotency records (several instances act as one)',
    default: undefined,
    defaultText: '(unset: every store in memory)',
    accepted: REDIS_URL_ACCEPTED,
    parse: parseRedisUrl,
  });
  const clusterNodes = reader.custom<readonly string[] | undefined>('REDIS_CLUSTER_NODES', {
    description:
      'seed nodes of a Redis Cluster for the same stores (node-redis cluster client); instead of REDIS_URL',
    default: undefined,
    defaultText: '(unset)',
    accepted: CLUSTER_NODES_ACCEPTED,
    parse: parseClusterNodes,
  });
  const keyPrefix = reader.string('REDIS_KEY_PREFIX', {
    description: 'prefix of every Redis key; instances that share it share limits, orders and records',
    default: d.redisKeyPrefix,
    pattern: /^[A-Za-z0-9:._-]{1,64}$/,
    accepted: '1-64 characters of A-Z a-z 0-9 : . _ -',
  });
  const commandTimeoutMs = reader.integer('REDIS_COMMAND_TIMEOUT_MS', {
    description: 'longest wait for one Redis command before it counts as failed',
    default: d.redisCommandTimeoutMs,
    min: 1,
    max: 10_000,
  });
  const faultsEnabled = reader.boolean('FAULTS_ENABLED', {
    description: 'mounts the fault API (/__admin/faults)',
    default: d.faultsEnabled,
  });
  const adminToken = reader.string('ADMIN_TOKEN', {
    description: 'bearer token of the fault API; required when FAULTS_ENABLED=true',
    default: undefined,
    pattern: /^[\x21-\x7e]{16,256}$/,
    accepted: '16-256 printable ASCII characters without spaces',
    secret: true,
  });
  const shutdownTimeoutMs = reader.integer('SHUTDOWN_TIMEOUT_MS', {
    description: 'how long SIGTERM/SIGINT waits for in-flight requests before closing connections',
    default: d.shutdownTimeoutMs,
    min: 0,
    max: 600_000,
  });
  const requestTimeoutMs = reader.integer('REQUEST_TIMEOUT_MS', {
    description: 'the bound on receiving one request, and how long a hang fault holds one',
    default: d.requestTimeoutMs,
    min: 1_000,
    max: 600_000,
  });

  // Checks across variables: each says which variable to change, and how.
  if (redisUrl !== undefined && clusterNodes !== undefined) {
    reader.problem(
      ['REDIS_URL', 'REDIS_CLUSTER_NODES'],
      'are both set: REDIS_URL names one Redis, REDIS_CLUSTER_NODES the seed nodes of a Redis Cluster; unset one of them',
    );
  }
  if (faultsEnabled && adminToken === undefined && !reader.refused('ADMIN_TOKEN')) {
    reader.problem(
      ['ADMIN_TOKEN'],
      'is required when FAULTS_ENABLED=true (the fault API needs a bearer token): set ADMIN_TOKEN to 16-256 printable ASCII characters without spaces, or FAULTS_ENABLED=false',
    );
  }

  return Object.freeze({
    port,
    host,
    logLevel,
    rateLimit: Object.freeze({ perMinute, perHour, onStoreError, allowlist, apiKeys, algorithm }),
    trustProxy,
    redis: redisConfig(redisUrl, clusterNodes, keyPrefix, commandTimeoutMs),
    faults: Object.freeze({ enabled: faultsEnabled, adminToken }),
    shutdownTimeoutMs,
    requestTimeoutMs,
  });
}

function redisConfig(
  url: string | undefined,
  clusterNodes: readonly string[] | undefined,
  keyPrefix: string,
  commandTimeoutMs: number,
): RedisConfig | undefined {
  if (clusterNodes !== undefined) {
    return Object.freeze({ url: clusterNodes[0] as string, clusterNodes, keyPrefix, commandTimeoutMs });
  }
  if (url === undefined) return undefined;
  return Object.freeze({ url, clusterNodes: undefined, keyPrefix, commandTimeoutMs });
}

/**
 * Reads and validates the configuration from environment variables (pass `process.env`). Unset or blank
 * variables take their default. Throws one `ConfigError` listing every invalid variable with its accepted form,
 * and every setting that cannot work with another. Never mutates `env`.
 */
export function loadConfig(env: MockApiEnv): MockApiConfig {
  const reader = createEnvReader('mock-api', env);
  const config = readConfig(reader);
  try {
    reader.finish();
  } catch (error) {
    if (isEnvConfigError(error)) throw new ConfigError(error);
    throw error;
  }
  return config;
}

/** The `--help` text: every variable with its accepted form and default, from the declarations `loadConfig` reads. */
export function configHelp(): string {
  const reader = createEnvReader('mock-api', {});
  readConfig(reader);
  return formatConfigHelp({
    usage: 'Usage: node apps/mock-api/dist/server.js [--help]',
    summary:
      'mock-api: the rate-limited external API (items, idempotent orders, metrics, fault injection), in memory or on Redis.',
    variables: reader.variables,
  });
}

/** A variable that is set but has no effect with the rest of the configuration. */
export interface UnusedVariable {
  readonly variable: string;
  /** Why it has no effect, and what to set for it to have one. */
  readonly message: string;
}

/**
 * The variables set in `env` that `config` (its `loadConfig` result) does not use: the Redis settings without
 * `REDIS_URL`, `ADMIN_TOKEN` without `FAULTS_ENABLED=true`. Not errors (the service runs as configured), but
 * a newcomer who set them expects them to matter.
 */
export function unusedVariables(env: MockApiEnv, config: MockApiConfig): UnusedVariable[] {
  const isSet = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  const unused: UnusedVariable[] = [];
  if (config.redis === undefined) {
    for (const variable of ['REDIS_KEY_PREFIX', 'REDIS_COMMAND_TIMEOUT_MS']) {
      if (isSet(variable)) {
        unused.push({
          variable,
          message: `${variable} has no effect without REDIS_URL or REDIS_CLUSTER_NODES (every store is in memory): set one of them, or unset ${variable}`,
        });
      }
    }
  }
  if (!config.faults.enabled && isSet('ADMIN_TOKEN')) {
    unused.push({
      variable: 'ADMIN_TOKEN',
      message:
        'ADMIN_TOKEN has no effect while FAULTS_ENABLED is false (no fault API): set FAULTS_ENABLED=true, or unset ADMIN_TOKEN',
    });
  }
  return unused;
}

/** `redis://user:***@host:6379/0`: the URL with its password (if any) masked, for logs and messages. */
export function redactRedisUrl(url: string): string {
  const fallback = (): string => (url.includes('@') ? `***@${url.slice(url.lastIndexOf('@') + 1)}` : url);
  // Without `//`, `user:secret@host` parses as scheme `user:` and a path: no password for URL to find.
  if (!url.includes('://')) return fallback();
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return fallback();
  }
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function parseAllowlist(raw: string): readonly string[] | Refusal {
  const entries = list(raw);
  for (const entry of entries) {
    const problem = describeInvalidAddress(entry);
    if (problem !== undefined)
      return refuse(`${problem}; expected a comma list of IP addresses and CIDR ranges`);
  }
  return Object.freeze(entries);
}

function parseTrustProxy(raw: string): TrustProxySetting | Refusal {
  const lower = raw.toLowerCase();
  if (lower === 'false') return false;
  if (lower === 'true') {
    return refuse(
      `"true" would trust every peer, so any client could pick its own address with X-Forwarded-For; expected ${TRUST_PROXY_ACCEPTED}`,
    );
  }
  if (/^\d+$/.test(raw)) {
    const hops = raw.length <= 2 ? Number(raw) : Number.NaN;
    if (!(hops >= 0 && hops <= 16))
      return refuse(`expected an integer from 0 to 16 (a hop count), got "${raw}"`);
    return hops === 0 ? false : hops;
  }
  const entries = list(raw);
  for (const entry of entries) {
    if (TRUST_PROXY_NAMES.includes(entry.toLowerCase())) continue;
    const problem = describeInvalidAddress(entry);
    if (problem !== undefined) return refuse(`${problem}; expected ${TRUST_PROXY_ACCEPTED}`);
  }
  return Object.freeze(
    entries.map((entry) => (TRUST_PROXY_NAMES.includes(entry.toLowerCase()) ? entry.toLowerCase() : entry)),
  );
}

function parseApiKeys(raw: string): ReadonlyMap<string, ApiKeyTier> | Refusal {
  const keys = new Map<string, ApiKeyTier>();
  const accepted = `expected ${API_KEYS_ACCEPTED}`;
  for (const entry of list(raw)) {
    const parts = entry.split(':');
    const [key = '', minute = '', hour = ''] = parts;
    if (parts.length !== 3 || !/^[A-Za-z0-9._-]{8,128}$/.test(key)) {
      return refuse(`entry "${redactKey(entry)}" is malformed; ${accepted}`);
    }
    const perMinute = /^\d{1,9}$/.test(minute) ? Number(minute) : 0;
    const perHour = /^\d{1,9}$/.test(hour) ? Number(hour) : 0;
    if (perMinute < 1 || perHour < 1) {
      return refuse(`entry "${redactKey(entry)}" needs positive integer limits; ${accepted}`);
    }
    if (keys.has(key)) return refuse(`key "${redactKey(key)}" is listed twice`);
    keys.set(key, Object.freeze({ perMinute, perHour }));
  }
  return keys;
}

/** Keeps the first 4 characters of a key so an error message does not print a secret. */
function redactKey(entry: string): string {
  const colon = entry.indexOf(':');
  const key = colon === -1 ? entry : entry.slice(0, colon);
  const rest = colon === -1 ? '' : entry.slice(colon);
  return `${key.slice(0, 4)}…${rest}`;
}

function parseRedisUrl(raw: string): string | Refusal {
  const fail = (why: string): Refusal =>
    refuse(`expected ${REDIS_URL_ACCEPTED}, like redis://127.0.0.1:6379 (${why})`);
  // `localhost:6379` parses as a URL whose scheme is "localhost:"; say what is really missing.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    const shown = redactRedisUrl(raw.replace(/^\/+/, ''));
    return fail(`"${shown}" has no scheme: write redis://${shown}`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`"${redactRedisUrl(raw)}" is not a URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    const rest = redactRedisUrl(raw).slice(url.protocol.length + 2);
    return fail(`scheme "${url.protocol}" is not redis: or rediss:; write redis://${rest}`);
  }
  if (url.hostname === '') return fail('no host: write redis://127.0.0.1:6379, or your Redis host');
  // node-redis reads the path as the database number and throws on anything else when the client is made.
  if (!/^\/?(\d{1,5})?$/.test(url.pathname)) {
    return fail(
      `the path "${url.pathname}" is not a database number: write a number like /0, or leave the path out`,
    );
  }
  return raw;
}

function parseClusterNodes(raw: string): readonly string[] | Refusal {
  const nodes = list(raw);
  if (nodes.length === 0) return refuse(`expected ${CLUSTER_NODES_ACCEPTED}`);
  for (const node of nodes) {
    const single = parseRedisUrl(node);
    if (typeof single !== 'string') return single;
    const url = new URL(node);
    if (url.pathname !== '' && url.pathname !== '/') {
      return refuse(
        `seed node "${redactRedisUrl(node)}" names a database: a Redis Cluster has only database 0; leave the path out`,
      );
    }
  }
  return Object.freeze(nodes);
}
