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
}

export interface RedisConfig {
  readonly url: string;
  /** Prepended to every key this service writes. @default 'mock-api:' */
  readonly keyPrefix: string;
  /** Longest wait for one Redis command before it counts as failed. @default 100 */
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
  redisKeyPrefix: 'mock-api:',
  redisCommandTimeoutMs: 500,
  faultsEnabled: false,
  shutdownTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const TRUST_PROXY_NAMES: readonly string[] = ['loopback', 'linklocal', 'uniquelocal'];
const MAX_INTEGER_DIGITS = 10;

/** `undefined` for an unset or blank variable, the trimmed value otherwise. */
function read(env: MockApiEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: MockApiEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const accepted = `an integer from ${min} to ${max}`;
  if (!/^\d+$/.test(raw) || raw.length > MAX_INTEGER_DIGITS) {
    throw new ConfigError(name, `"${raw}" is not ${accepted}`);
  }
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `${value} is not ${accepted}`);
  return value;
}

function oneOf<T extends string>(env: MockApiEnv, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const found = allowed.find((candidate) => candidate === raw.toLowerCase());
  if (found === undefined) throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(' | ')}`);
  return found;
}

function boolean(env: MockApiEnv, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new ConfigError(name, `"${raw}" is not true | false (or 1 | 0)`);
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function addressList(env: MockApiEnv, name: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const entries = list(raw);
  for (const entry of entries) {
    const problem = describeInvalidAddress(entry);
    if (problem !== undefined) {
      throw new ConfigError(name, `${problem}; expected a comma list of IP addresses and CIDR ranges`);
    }
  }
  return entries;
}

function trustProxy(env: MockApiEnv): TrustProxySetting {
  const name = 'TRUST_PROXY';
  const raw = read(env, name);
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  const accepted =
    'expected a hop count (0-16), or a comma list of proxy addresses, CIDR ranges and loopback | linklocal | uniquelocal';
  if (raw.toLowerCase() === 'true') {
    throw new ConfigError(
      name,
      `"true" would trust every peer, so any client could pick its own address with X-Forwarded-For; ${accepted}`,
    );
  }
  if (/^\d+$/.test(raw)) {
    const hops = integer(env, name, 0, 0, 16);
    return hops === 0 ? false : hops;
  }
  const entries = list(raw);
  for (const entry of entries) {
    if (TRUST_PROXY_NAMES.includes(entry.toLowerCase())) continue;
    const problem = describeInvalidAddress(entry);
    if (problem !== undefined) throw new ConfigError(name, `${problem}; ${accepted}`);
  }
  return entries.map((entry) =>
    TRUST_PROXY_NAMES.includes(entry.toLowerCase()) ? entry.toLowerCase() : entry,
  );
}

function apiKeys(env: MockApiEnv): Map<string, ApiKeyTier> {
  const name = 'API_KEYS';
  const raw = read(env, name);
  const keys = new Map<string, ApiKeyTier>();
  if (raw === undefined) return keys;
  const accepted = 'expected a comma list of key:perMinute:perHour (key: 8-128 of A-Z a-z 0-9 . _ -)';
  for (const entry of list(raw)) {
    const parts = entry.split(':');
    const [key = '', minute = '', hour = ''] = parts;
    if (parts.length !== 3 || !/^[A-Za-z0-9._-]{8,128}$/.test(key)) {
      throw new ConfigError(name, `entry "${redactKey(entry)}" is malformed; ${accepted}`);
    }
    const perMinute = /^\d{1,9}$/.test(minute) ? Number(minute) : 0;
    const perHour = /^\d{1,9}$/.test(hour) ? Number(hour) : 0;
    if (perMinute < 1 || perHour < 1) {
      throw new ConfigError(name, `entry "${redactKey(entry)}" needs positive integer limits; ${accepted}`);
    }
    if (keys.has(key)) throw new ConfigError(name, `key "${redactKey(key)}" is listed twice`);
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

function redisConfig(env: MockApiEnv): RedisConfig | undefined {
  const url = read(env, 'REDIS_URL');
  const keyPrefix = read(env, 'REDIS_KEY_PREFIX') ?? CONFIG_DEFAULTS.redisKeyPrefix;
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(keyPrefix)) {
    throw new ConfigError('REDIS_KEY_PREFIX', `"${keyPrefix}" is not 1-64 characters of A-Z a-z 0-9 : . _ -`);
  }
  const commandTimeoutMs = integer(
    env,
    'REDIS_COMMAND_TIMEOUT_MS',
    CONFIG_DEFAULTS.redisCommandTimeoutMs,
    1,
    10_000,
  );
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('REDIS_URL', 'is not a URL; expected redis://[user:password@]host[:port][/db]');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(
      'REDIS_URL',
      `scheme "${parsed.protocol}" is not redis: or rediss:; expected redis://[user:password@]host[:port][/db]`,
    );
  }
  return Object.freeze({ url, keyPrefix, commandTimeoutMs });
}

function host(env: MockApiEnv): string {
  const raw = read(env, 'HOST') ?? CONFIG_DEFAULTS.host;
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(raw)) {
    throw new ConfigError('HOST', `"${raw}" is not a host name or IP address (e.g. 127.0.0.1, 0.0.0.0, ::)`);
  }
  return raw;
}

/**
 * Reads and validates the configuration from environment variables (pass `process.env`).
 * Throws a `ConfigError` naming the variable and the accepted form at the first bad value.
 * Never mutates `env`.
 */
export function loadConfig(env: MockApiEnv): MockApiConfig {
  const perMinute = integer(env, 'RATE_LIMIT_PER_MINUTE', CONFIG_DEFAULTS.perMinute, 1, 1_000_000_000);
  const perHour = integer(env, 'RATE_LIMIT_PER_HOUR', CONFIG_DEFAULTS.perHour, 1, 1_000_000_000);
  const faultsEnabled = boolean(env, 'FAULTS_ENABLED', CONFIG_DEFAULTS.faultsEnabled);
  const adminToken = read(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && !/^[\x21-\x7e]{16,256}$/.test(adminToken)) {
    throw new ConfigError('ADMIN_TOKEN', 'must be 16-256 printable ASCII characters without spaces');
  }
  if (faultsEnabled && adminToken === undefined) {
    throw new ConfigError(
      'ADMIN_TOKEN',
      'is required when FAULTS_ENABLED=true (16-256 printable ASCII characters)',
    );
  }
  return Object.freeze({
    port: integer(env, 'PORT', CONFIG_DEFAULTS.port, 0, 65_535),
    host: host(env),
    logLevel: oneOf(env, 'LOG_LEVEL', CONFIG_DEFAULTS.logLevel, LOG_LEVELS),
    rateLimit: Object.freeze({
      perMinute,
      perHour,
      onStoreError: oneOf<StoreErrorPolicy>(env, 'RATE_LIMIT_ON_STORE_ERROR', CONFIG_DEFAULTS.onStoreError, [
        'open',
        'closed',
      ]),
      allowlist: Object.freeze(addressList(env, 'RATE_LIMIT_ALLOWLIST')),
      apiKeys: apiKeys(env),
    }),
    trustProxy: trustProxy(env),
    redis: redisConfig(env),
    faults: Object.freeze({ enabled: faultsEnabled, adminToken }),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', CONFIG_DEFAULTS.shutdownTimeoutMs, 0, 600_000),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', CONFIG_DEFAULTS.requestTimeoutMs, 1_000, 600_000),
  });
}
