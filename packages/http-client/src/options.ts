import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { CircuitBreakerPolicy } from '@resilience/circuit-breaker';
import {
  type ConcurrencyLimiterOptions,
  createConcurrencyLimiter,
  createHedgePolicy,
  type HedgePolicy,
  type HedgePolicyOptions,
} from '@resilience/core';
import { IDEMPOTENT_METHODS, RETRYABLE_STATUSES } from './classify.js';
import type { ProtectionHooks } from './hooks.js';

/** How each backoff delay is spread below its nominal value (1 s, 2 s, 4 s, ...). */
export type JitterMode = 'equal' | 'full' | 'none';

/** The subset of a pino logger this package writes to. A `Logger` from `@resilience/logging` fits. */
export interface ProtectionLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface RetryOptions {
  /**
   * Retries after the first attempt (so `3` means at most 4 attempts). `0` disables retrying.
   * @default 3
   */
  readonly retries?: number;
  /**
   * Nominal delay before the first retry; doubles for each further retry (1 s, 2 s, 4 s, ...).
   * @default 1000
   */
  readonly baseDelayMs?: number;
  /**
   * Upper bound of the nominal delay.
   * @default 30000
   */
  readonly maxDelayMs?: number;
  /**
   * `'equal'`: uniform in [nominal/2, nominal]; `'full'`: uniform in [0, nominal]; `'none'`: exactly nominal.
   * @default 'equal'
   */
  readonly jitter?: JitterMode;
  /**
   * Source of randomness for the jitter, returning a number in [0, 1).
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Largest wait honoured from a `Retry-After` header (429 and 503). A longer Retry-After is cut to this.
   * @default 30000
   */
  readonly maxRetryAfterMs?: number;
  /**
   * HTTP statuses worth another attempt (an `HttpStatusError` with another status is not retried).
   * @default [408, 429, 500, 502, 503, 504]
   */
  readonly statusCodes?: readonly number[];
  /**
   * Methods retried for any retryable failure: the ones that may be sent twice without changing the result.
   * POST and PATCH cannot be listed: they are retried only with an `Idempotency-Key` header, or when the call
   * says `idempotent: true`.
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']
   */
  readonly methods?: readonly string[];
  /**
   * Decides about one failed attempt: `true` retries it, `false` gives up, `undefined` keeps the built-in
   * verdict (`statusCodes`, network errors, timeouts). It cannot make a non-idempotent call retryable, nor
   * retry past `retries`, the deadline, the retry budget or an open breaker. A throw counts as `undefined` and
   * is logged.
   * @default undefined
   */
  readonly shouldRetry?: ((context: ShouldRetryContext) => boolean | undefined) | undefined;
}

/** What `retry.shouldRetry` is told about a failed attempt. */
export interface ShouldRetryContext {
  /** The attempt that failed; 1 for the first. */
  readonly attempt: number;
  /** What the caller gets if nothing is retried: an `HttpClientError` subclass, or what a protected fn threw. */
  readonly error: unknown;
  /** `'CALL'` for `callWithProtection`. */
  readonly method: string;
  /** Without query string or credentials (the key for `callWithProtection`). */
  readonly url: string;
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /** Status (`'503'`) or error code (`'ECONNRESET'`) of the failure. */
  readonly reason: string;
  /** The built-in verdict. */
  readonly retryable: boolean;
}

export interface BreakerOptions {
  /**
   * Consecutive failed attempts against one upstream that open its breaker.
   * @default 5
   */
  readonly failureThreshold?: number;
  /**
   * How long an open breaker rejects calls before it lets one trial call through.
   * @default 60000
   */
  readonly resetTimeoutMs?: number;
  /**
   * What opens a breaker: `failureThreshold` consecutive failures, or a failure rate over a window of calls
   * (see `@resilience/circuit-breaker`).
   * @default 'consecutive'
   */
  readonly policy?: CircuitBreakerPolicy;
  /** Under `policy: 'failure-rate'`: failure percentage that opens the breaker. @default 50 */
  readonly failureRateThreshold?: number;
  /** Under `policy: 'failure-rate'`: attempts the window holds. @default 100 */
  readonly slidingWindowSize?: number;
  /** Under `policy: 'failure-rate'`: attempts in the window before the rate is judged. @default 100 (at most `slidingWindowSize`) */
  readonly minimumNumberOfCalls?: number;
  /** A successful attempt this slow (ms) counts as a failure. @default undefined (off) */
  readonly slowCallDurationMs?: number;
  /** Trial attempts let through at once while HALF_OPEN. @default 1 */
  readonly halfOpenProbes?: number;
  /** Successful trials that close the breaker. @default 1 */
  readonly successThreshold?: number;
}

export interface RetryBudgetOptions {
  /**
   * Retries allowed as a fraction of the calls made in the window (0.2 = at most 20 % extra load).
   * @default 0.2
   */
  readonly ratio?: number;
  /**
   * Length of the sliding window over which calls and retries are counted.
   * @default 10000
   */
  readonly windowMs?: number;
  /**
   * Retries always allowed per window, whatever the ratio, so low traffic can still retry.
   * @default 10
   */
  readonly minRetriesPerWindow?: number;
}

/** The retry + breaker + deadline policy shared by `createHttpClient` and `callWithProtection`. */
export interface ProtectionOptions {
  /**
   * Time limit of each attempt; every attempt gets the full value.
   * @default 15000
   */
  readonly timeoutMs?: number;
  /**
   * Time limit of a whole call: all attempts and all backoff waits. No limit when unset.
   * @default undefined
   */
  readonly deadlineMs?: number | undefined;
  /**
   * Retry policy, a number as shorthand for `{ retries }`, or `false` for no retries.
   * @default `{ retries: 3, baseDelayMs: 1000, maxDelayMs: 30000, jitter: 'equal', random: Math.random, maxRetryAfterMs: 30000 }`
   */
  readonly retry?: RetryOptions | number | false;
  /**
   * Circuit breaker per upstream (per origin for HTTP, per `key` for `callWithProtection`), or `false` for none.
   * @default `{ failureThreshold: 5, resetTimeoutMs: 60000 }`
   */
  readonly breaker?: BreakerOptions | false;
  /**
   * Limits retries to a share of the traffic, or `false` for no limit.
   * @default `{ ratio: 0.2, windowMs: 10000, minRetriesPerWindow: 10 }`
   */
  readonly retryBudget?: RetryBudgetOptions | false;
  /**
   * Where retry, give-up and breaker lines go.
   * @default `createLogger({ service: 'http-client' })` from `@resilience/logging`
   */
  readonly logger?: ProtectionLogger;
  /**
   * Callbacks for metrics: `onAttempt`, `onRetry`, `onGiveUp`. A hook that throws is logged and ignored.
   * @default `{}`
   */
  readonly hooks?: ProtectionHooks;
  /**
   * Clock used for the retry budget window and `Retry-After` dates. Waits use the global `setTimeout`
   * (so vitest fake timers drive them).
   * @default Date.now
   */
  readonly now?: () => number;
}

export interface HttpClientOptions extends ProtectionOptions {
  /**
   * Prefix of relative request URLs, e.g. `http://inventory:8080/api`.
   * @default undefined
   */
  readonly baseURL?: string | undefined;
  /**
   * Headers sent on every request (a request's own headers win). An `X-Request-ID` here is only used outside
   * a request context: inside one, that request's id is sent instead.
   * @default `{}`
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Give every POST and PATCH an `Idempotency-Key` header (a UUID per logical call, the same on every
   * attempt) so it can be retried. A key the caller sets is kept.
   * @default false
   */
  readonly idempotencyKey?: boolean;
  /**
   * Agent for `http:` URLs.
   * @default a keep-alive agent owned by the client (closed by `client.close()`)
   */
  readonly httpAgent?: HttpAgent;
  /**
   * Agent for `https:` URLs.
   * @default a keep-alive agent owned by the client (closed by `client.close()`)
   */
  readonly httpsAgent?: HttpsAgent;
  /**
   * Largest response body accepted, in bytes, counted after decompression (a small gzip body cannot expand
   * past it either). A bigger body is not read to its end: the attempt fails with `ResponseTooLargeError`
   * (`ERR_HTTP_RESPONSE_TOO_LARGE`), which is not retried. Applied as axios' `maxContentLength`; a
   * `maxContentLength` passed on one call overrides it for that call. `undefined`: no limit.
   * @default undefined
   */
  readonly maxResponseBytes?: number | undefined;
  /**
   * What sends the requests: `'undici'` (undici's keep-alive pools, cheaper per call) or `'node-http'` (axios'
   * own adapter over `node:http`/`node:https` agents). Same axios API, errors and policy either way.
   * @default `'undici'`; `'node-http'` when `httpAgent` or `httpsAgent` is given
   */
  readonly transport?: HttpTransport | undefined;
  /**
   * Hedged requests for calls that may be retried (idempotent method, an `Idempotency-Key`, or `idempotent: true`):
   * while an attempt is pending past `delayMs`, a copy is sent to the same upstream and the first success wins; the
   * others are aborted (their sockets closed). A hedge goes out only while the upstream's breaker is CLOSED and
   * spends a token of the retry budget; every copy carries the same `X-Request-ID` and `Idempotency-Key`. Options
   * are `@resilience/core`'s `createHedgePolicy` options (`delayMs` a number of ms or `'p95'`, default `'p95'`;
   * `maxAttempts` 1-5, default 2; `maxExtraRatio` default 0.05; `minSamples` default 20; ...). `false`: no hedging.
   * Turn it off per call with `hedge: false`.
   * @default false
   */
  readonly hedge?: HedgePolicyOptions | false | undefined;
  /**
   * Adaptive concurrency limit per upstream (the breaker's key, the origin): one `@resilience/core`
   * `createConcurrencyLimiter` per upstream, created on its first call, closed by `close()`. Each attempt waits
   * for a slot after its breaker permit; a full limiter (queue full or `maxWaitMs` passed) rejects the call with
   * `ConcurrencyLimitError` (`ERR_CONCURRENCY_LIMIT`, with `retryAfterMs`): not retried, not counted by the
   * breaker, no request sent. Options are the limiter's (`algorithm` default `'gradient2'`, `initialLimit`,
   * `minLimit`, `maxLimit`, `maxQueue`, `maxWaitMs`, ...; see `@resilience/core`). `false`: no limit.
   * @default false
   */
  readonly concurrency?: ConcurrencyLimiterOptions | false | undefined;
}

/** See {@link HttpClientOptions.transport}. */
export type HttpTransport = 'undici' | 'node-http';

export interface ResolvedRetryOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: JitterMode;
  readonly random: () => number;
  readonly maxRetryAfterMs: number;
  readonly statusCodes: ReadonlySet<number>;
  readonly methods: ReadonlySet<string>;
  readonly shouldRetry: ((context: ShouldRetryContext) => boolean | undefined) | undefined;
}

export interface ResolvedBreakerOptions {
  readonly failureThreshold: number;
  readonly resetTimeoutMs: number;
  /** The policy options given, validated by the breaker registry (`undefined`: the breaker's default). */
  readonly policy?: CircuitBreakerPolicy | undefined;
  readonly failureRateThreshold?: number | undefined;
  readonly slidingWindowSize?: number | undefined;
  readonly minimumNumberOfCalls?: number | undefined;
  readonly slowCallDurationMs?: number | undefined;
  readonly halfOpenProbes?: number | undefined;
  readonly successThreshold?: number | undefined;
}

export interface ResolvedRetryBudgetOptions {
  readonly ratio: number;
  readonly windowMs: number;
  readonly minRetriesPerWindow: number;
}

/** Protection options after defaults are applied and everything is validated. */
export interface ResolvedProtectionOptions {
  readonly timeoutMs: number;
  readonly deadlineMs: number | undefined;
  readonly retry: ResolvedRetryOptions;
  readonly breaker: ResolvedBreakerOptions | false;
  readonly retryBudget: ResolvedRetryBudgetOptions | false;
  readonly logger: ProtectionLogger | undefined;
  readonly hooks: ProtectionHooks;
  readonly now: () => number;
}

export interface ResolvedHttpClientOptions extends ResolvedProtectionOptions {
  readonly baseURL: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly idempotencyKey: boolean;
  readonly httpAgent: HttpAgent | undefined;
  readonly httpsAgent: HttpsAgent | undefined;
  readonly maxResponseBytes: number | undefined;
  readonly transport: HttpTransport;
  /** One policy per client (latency history and extra-load cap per upstream), or `undefined` for none. */
  readonly hedge: HedgePolicy | undefined;
  /** Options of each upstream's limiter (validated), or `false` for none. */
  readonly concurrency: ConcurrencyLimiterOptions | false;
}

/** Every default of this package, in one place. */
export const HTTP_CLIENT_DEFAULTS = Object.freeze({
  timeoutMs: 15_000,
  deadlineMs: undefined,
  retry: Object.freeze({
    retries: 3,
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    jitter: 'equal',
    random: Math.random,
    maxRetryAfterMs: 30_000,
    statusCodes: RETRYABLE_STATUSES,
    methods: IDEMPOTENT_METHODS,
    shouldRetry: undefined,
  } satisfies ResolvedRetryOptions),
  breaker: Object.freeze({ failureThreshold: 5, resetTimeoutMs: 60_000 } satisfies ResolvedBreakerOptions),
  retryBudget: Object.freeze({
    ratio: 0.2,
    windowMs: 10_000,
    minRetriesPerWindow: 10,
  } satisfies ResolvedRetryBudgetOptions),
  headers: Object.freeze({}),
  idempotencyKey: false,
  /** No limit on response bodies. */
  maxResponseBytes: undefined,
  transport: 'undici' as HttpTransport,
  hedge: false,
  concurrency: false,
  /** Keep-alive agents: sockets are reused across calls and attempts. */
  agent: Object.freeze({ keepAlive: true, keepAliveMsecs: 1_000 }),
  // Looked up on each call, so a replaced global Date (fake timers) is honoured.
  now: (): number => Date.now(),
});

/** Largest delay `setTimeout` honours (about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

const PROTECTION_KEYS = [
  'timeoutMs',
  'deadlineMs',
  'retry',
  'breaker',
  'retryBudget',
  'logger',
  'hooks',
  'now',
] as const;
const CLIENT_KEYS = [
  ...PROTECTION_KEYS,
  'baseURL',
  'headers',
  'idempotencyKey',
  'httpAgent',
  'httpsAgent',
  'maxResponseBytes',
  'transport',
  'hedge',
  'concurrency',
] as const;
const RETRY_KEYS = [
  'retries',
  'baseDelayMs',
  'maxDelayMs',
  'jitter',
  'random',
  'maxRetryAfterMs',
  'statusCodes',
  'methods',
  'shouldRetry',
] as const;
const BREAKER_KEYS = [
  'failureThreshold',
  'resetTimeoutMs',
  'policy',
  'failureRateThreshold',
  'slidingWindowSize',
  'minimumNumberOfCalls',
  'slowCallDurationMs',
  'halfOpenProbes',
  'successThreshold',
] as const;
const BUDGET_KEYS = ['ratio', 'windowMs', 'minRetriesPerWindow'] as const;
const HOOK_KEYS = ['onAttempt', 'onRetry', 'onGiveUp', 'onHedge', 'onHedgeWon', 'onHedgeCancelled'] as const;
const JITTER_MODES: readonly string[] = ['equal', 'full', 'none'];

/** Names of options that people write by habit from axios, got or ky, with the name used here. */
const RENAMED: Readonly<Record<string, string>> = {
  timeout: 'timeoutMs',
  deadline: 'deadlineMs',
  baseUrl: 'baseURL',
  retries: 'retry.retries',
};

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function fail(path: string, why: string, value: unknown): never {
  const subject = path === '' ? '' : `option ${path} `;
  throw new TypeError(`${subject}${why}, got ${describeValue(value)}`);
}

function checkKeys(path: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const hint = RENAMED[key] ? ` (did you mean ${RENAMED[key]}?)` : '';
      throw new TypeError(`option ${path}${path ? '.' : ''}${key} is not a known option${hint}`);
    }
  }
}

function integer(path: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    fail(path, `must be an integer between ${min} and ${max}`, value);
  }
  return value;
}

function nonNegative(path: string, value: number, max = MAX_TIMER_MS): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    fail(path, `must be a number between 0 and ${max}`, value);
  }
  return value;
}

function fn<T>(path: string, value: T): T {
  if (typeof value !== 'function') fail(path, 'must be a function', value);
  return value;
}

function statusCodes(value: unknown): ReadonlySet<number> {
  if (!Array.isArray(value)) fail('retry.statusCodes', 'must be an array of HTTP statuses', value);
  for (const status of value) {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      fail('retry.statusCodes', 'must hold HTTP statuses from 100 to 599', status);
    }
  }
  return new Set(value as number[]);
}

/** Methods that are never idempotent by themselves (RFC 9110): a key or the call must say so. */
const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH']);

function methods(value: unknown): ReadonlySet<string> {
  if (!Array.isArray(value)) fail('retry.methods', 'must be an array of HTTP methods', value);
  const result = new Set<string>();
  for (const method of value) {
    if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
      fail('retry.methods', 'must hold HTTP method names', method);
    }
    const upper = method.toUpperCase();
    if (UNSAFE_METHODS.has(upper)) {
      fail(
        'retry.methods',
        `cannot hold ${upper}: it is retried only with an Idempotency-Key header or idempotent: true on the call`,
        method,
      );
    }
    result.add(upper);
  }
  return result;
}

function resolveRetry(value: ProtectionOptions['retry']): ResolvedRetryOptions {
  const d = HTTP_CLIENT_DEFAULTS.retry;
  if (value === undefined) return d;
  if (value === false) return { ...d, retries: 0 };
  if (typeof value === 'number') return { ...d, retries: integer('retry', value, 0, 100) };
  if (!isPlainObject(value)) fail('retry', 'must be an object, a number of retries or false', value);
  checkKeys('retry', value, RETRY_KEYS);
  const resolved: ResolvedRetryOptions = {
    retries: integer('retry.retries', value.retries ?? d.retries, 0, 100),
    baseDelayMs: nonNegative('retry.baseDelayMs', value.baseDelayMs ?? d.baseDelayMs),
    maxDelayMs: nonNegative('retry.maxDelayMs', value.maxDelayMs ?? d.maxDelayMs),
    jitter: value.jitter ?? d.jitter,
    random: fn('retry.random', value.random ?? d.random),
    maxRetryAfterMs: nonNegative('retry.maxRetryAfterMs', value.maxRetryAfterMs ?? d.maxRetryAfterMs),
    statusCodes: value.statusCodes === undefined ? d.statusCodes : statusCodes(value.statusCodes),
    methods: value.methods === undefined ? d.methods : methods(value.methods),
    shouldRetry: value.shouldRetry === undefined ? undefined : fn('retry.shouldRetry', value.shouldRetry),
  };
  if (!JITTER_MODES.includes(resolved.jitter)) {
    fail('retry.jitter', `must be one of ${JITTER_MODES.join(', ')}`, resolved.jitter);
  }
  if (resolved.maxDelayMs < resolved.baseDelayMs) {
    fail('retry.maxDelayMs', `must be >= retry.baseDelayMs (${resolved.baseDelayMs})`, resolved.maxDelayMs);
  }
  return resolved;
}

function resolveBreaker(value: ProtectionOptions['breaker']): ResolvedBreakerOptions | false {
  const d = HTTP_CLIENT_DEFAULTS.breaker;
  if (value === undefined) return d;
  if (value === false) return false;
  if (!isPlainObject(value)) fail('breaker', 'must be an object or false', value);
  checkKeys('breaker', value, BREAKER_KEYS);
  return {
    failureThreshold: integer('breaker.failureThreshold', value.failureThreshold ?? d.failureThreshold, 1),
    resetTimeoutMs: integer(
      'breaker.resetTimeoutMs',
      value.resetTimeoutMs ?? d.resetTimeoutMs,
      1,
      MAX_TIMER_MS,
    ),
    policy: value.policy,
    failureRateThreshold: value.failureRateThreshold,
    slidingWindowSize: value.slidingWindowSize,
    minimumNumberOfCalls: value.minimumNumberOfCalls,
    slowCallDurationMs: value.slowCallDurationMs,
    halfOpenProbes: value.halfOpenProbes,
    successThreshold: value.successThreshold,
  };
}

function resolveBudget(value: ProtectionOptions['retryBudget']): ResolvedRetryBudgetOptions | false {
  const d = HTTP_CLIENT_DEFAULTS.retryBudget;
  if (value === undefined) return d;
  if (value === false) return false;
  if (!isPlainObject(value)) fail('retryBudget', 'must be an object or false', value);
  checkKeys('retryBudget', value, BUDGET_KEYS);
  const ratio = value.ratio ?? d.ratio;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    fail('retryBudget.ratio', 'must be a number between 0 and 1', ratio);
  }
  return {
    ratio,
    windowMs: integer('retryBudget.windowMs', value.windowMs ?? d.windowMs, 1, MAX_TIMER_MS),
    minRetriesPerWindow: integer(
      'retryBudget.minRetriesPerWindow',
      value.minRetriesPerWindow ?? d.minRetriesPerWindow,
      0,
    ),
  };
}

function resolveLogger(value: unknown): ProtectionLogger | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof Reflect.get(value, 'warn') !== 'function' ||
    typeof Reflect.get(value, 'info') !== 'function' ||
    typeof Reflect.get(value, 'debug') !== 'function'
  ) {
    fail('logger', 'must be a logger with warn, info and debug methods', value);
  }
  return value as ProtectionLogger;
}

function resolveHooks(value: unknown): ProtectionHooks {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail('hooks', 'must be an object', value);
  checkKeys('hooks', value as object, HOOK_KEYS);
  const hooks = value as ProtectionHooks;
  for (const key of HOOK_KEYS) {
    if (hooks[key] !== undefined) fn(`hooks.${key}`, hooks[key]);
  }
  return { ...hooks };
}

/**
 * Applies defaults to the policy options and validates them. Throws a `TypeError` naming the option.
 * Never mutates `options`. The logger stays `undefined` when not given (the caller creates the default).
 */
export function resolveProtectionOptions(
  options: ProtectionOptions = {},
  allowedKeys: readonly string[] = PROTECTION_KEYS,
): ResolvedProtectionOptions {
  if (!isPlainObject(options)) fail('', 'options must be an object', options);
  checkKeys('', options, allowedKeys);
  const timeoutMs = options.timeoutMs ?? HTTP_CLIENT_DEFAULTS.timeoutMs;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs <= 0 ||
    timeoutMs > MAX_TIMER_MS
  ) {
    fail('timeoutMs', `must be a number > 0 and <= ${MAX_TIMER_MS}`, timeoutMs);
  }
  const deadlineMs = options.deadlineMs ?? HTTP_CLIENT_DEFAULTS.deadlineMs;
  if (
    deadlineMs !== undefined &&
    (typeof deadlineMs !== 'number' ||
      !Number.isFinite(deadlineMs) ||
      deadlineMs <= 0 ||
      deadlineMs > MAX_TIMER_MS)
  ) {
    fail('deadlineMs', `must be a number > 0 and <= ${MAX_TIMER_MS}`, deadlineMs);
  }
  return {
    timeoutMs,
    deadlineMs,
    retry: resolveRetry(options.retry),
    breaker: resolveBreaker(options.breaker),
    retryBudget: resolveBudget(options.retryBudget),
    logger: resolveLogger(options.logger),
    hooks: resolveHooks(options.hooks),
    now: fn('now', options.now ?? HTTP_CLIENT_DEFAULTS.now),
  };
}

/** `resolveProtectionOptions` plus the HTTP options. Throws a `TypeError` naming the option. */
export function resolveHttpClientOptions(options: HttpClientOptions = {}): ResolvedHttpClientOptions {
  const protection = resolveProtectionOptions(options, CLIENT_KEYS);
  const { baseURL, headers, idempotencyKey, httpAgent, httpsAgent } = options;
  const maxResponseBytes = options.maxResponseBytes ?? HTTP_CLIENT_DEFAULTS.maxResponseBytes;
  if (maxResponseBytes !== undefined) integer('maxResponseBytes', maxResponseBytes, 1);
  if (baseURL !== undefined) {
    if (
      typeof baseURL !== 'string' ||
      !URL.canParse(baseURL) ||
      // Stryker disable next-line Regex: a protocol always ends at its one colon, so the $ anchor changes nothing.
      !/^https?:$/.test(new URL(baseURL).protocol)
    ) {
      fail('baseURL', 'must be an absolute http(s) URL', baseURL);
    }
  }
  if (headers !== undefined) {
    if (!isPlainObject(headers)) fail('headers', 'must be an object of header names to strings', headers);
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') fail(`headers.${name}`, 'must be a string', value);
    }
  }
  if (idempotencyKey !== undefined && typeof idempotencyKey !== 'boolean') {
    fail('idempotencyKey', 'must be a boolean', idempotencyKey);
  }
  for (const [name, agent] of [
    ['httpAgent', httpAgent],
    ['httpsAgent', httpsAgent],
  ] as const) {
    if (
      agent !== undefined &&
      (typeof agent !== 'object' || agent === null || typeof agent.destroy !== 'function')
    ) {
      fail(name, 'must be an http(s).Agent', agent);
    }
  }
  const agentGiven = httpAgent !== undefined || httpsAgent !== undefined;
  const transport = options.transport ?? (agentGiven ? 'node-http' : HTTP_CLIENT_DEFAULTS.transport);
  if (transport !== 'undici' && transport !== 'node-http')
    fail('transport', "must be 'undici' or 'node-http'", transport);
  if (transport === 'undici' && agentGiven)
    fail('transport', "'undici' does not use httpAgent/httpsAgent", transport);
  return {
    ...protection,
    baseURL,
    headers: headers === undefined ? HTTP_CLIENT_DEFAULTS.headers : { ...headers },
    idempotencyKey: idempotencyKey ?? HTTP_CLIENT_DEFAULTS.idempotencyKey,
    httpAgent,
    httpsAgent,
    maxResponseBytes,
    transport,
    hedge: resolveHedge(options.hedge),
    concurrency: resolveConcurrency(options.concurrency),
  };
}

function resolveConcurrency(
  concurrency: ConcurrencyLimiterOptions | false | undefined,
): ConcurrencyLimiterOptions | false {
  if (concurrency === undefined || concurrency === false) return false;
  if (!isPlainObject(concurrency)) fail('concurrency', 'must be limiter options or false', concurrency);
  // The limiter validates every field; a probe built now names a bad one before the first call.
  try {
    createConcurrencyLimiter(concurrency).close();
  } catch (error) {
    if (error instanceof TypeError) {
      throw new TypeError(error.message.replace(/^options\./, 'option concurrency.'));
    }
    throw error;
  }
  return { ...concurrency };
}

function resolveHedge(hedge: HedgePolicyOptions | false | undefined): HedgePolicy | undefined {
  if (hedge === undefined || hedge === false) return undefined;
  if (!isPlainObject(hedge)) fail('hedge', 'must be hedge options or false', hedge);
  // createHedgePolicy validates every field and names the bad one.
  return createHedgePolicy(hedge);
}
