import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { BreakerRegistry } from '@resilience/circuit-breaker';
import {
  type AttemptLimiter,
  type ConcurrencyLimiter,
  createConcurrencyLimiter,
  type Deadline,
  isConcurrencyLimitError,
} from '@resilience/core';
import { generateRequestId, getRequestId, REQUEST_ID_HEADER } from '@resilience/logging';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { type CallDescription, CallObserver, checkDeadline } from './call-observer.js';
import { describeTypedFailure, type Failure, toHttpClientError } from './classify.js';
import { HttpClientError } from './errors/http-client-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import type { CallInfo } from './hooks.js';
import {
  describeValue,
  HTTP_CLIENT_DEFAULTS,
  type HttpClientOptions,
  resolveHttpClientOptions,
} from './options.js';
import { headerValue } from './outbound-headers.js';
import { createPolicyRuntime, type Protection, protectionFromRuntime } from './protection.js';
import { type RequestTarget, RequestTargets, resolveUrl } from './request-target.js';
import { safeUrl } from './safe-url.js';
import { startCallTrace } from './trace-headers.js';
import { createUndiciAdapter } from './transport/undici-adapter.js';

/** Header that makes a POST or PATCH retryable. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * A request: axios' config without its own `timeout` (the client owns timeouts), plus the client's
 * per-call options.
 */
export interface HttpRequestConfig<D = unknown> extends Omit<AxiosRequestConfig<D>, 'timeout' | 'signal'> {
  /** Overrides the client's `timeoutMs` (per attempt) for this call. */
  readonly timeoutMs?: number | undefined;
  /** Overrides the client's `deadlineMs` (whole call) for this call. */
  readonly deadlineMs?: number | undefined;
  /**
   * A deadline shared with the rest of the work for one request (`createDeadline`, e.g. an inbound request's):
   * the call, its retries and its waits end by it. Wins over `deadlineMs`.
   * @default none
   */
  readonly deadline?: Deadline | undefined;
  /**
   * `false`: no hedge for this call, though the client hedges (`hedge` option). Hedging applies only to calls
   * that may be retried.
   * @default the client's `hedge`
   */
  readonly hedge?: false | undefined;
  /** Cancels the attempt in flight and any pending backoff; the call rejects with `AbortError`. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides `retry.retries` for this call (`0`: one attempt only). */
  readonly retries?: number | undefined;
  /**
   * For POST/PATCH: `true` generates an `Idempotency-Key` for this call, a string is used as the key, `false`
   * sends none. An `Idempotency-Key` header set by the caller always wins.
   * @default the client's `idempotencyKey`
   */
  readonly idempotencyKey?: boolean | string | undefined;
  /**
   * Whether this call may be sent more than once: `true` retries it whatever its method and headers (the caller
   * knows the upstream deduplicates, e.g. by a key in the body), `false` never retries it.
   * @default `retry.methods` say for the method; POST and PATCH only with an `Idempotency-Key`
   */
  readonly idempotent?: boolean | undefined;
}

/** Config of the method shorthands (`get(url, config)`): everything but `url`, `method` and `data`. */
export type HttpMethodConfig<D = unknown> = Omit<HttpRequestConfig<D>, 'url' | 'method' | 'data'>;

export interface HttpClient {
  /** Sends a request under the policy. Resolves with the 2xx response; rejects with a typed error. */
  request<T = unknown, D = unknown>(config: HttpRequestConfig<D>): Promise<AxiosResponse<T, D>>;
  get<T = unknown>(url: string, config?: HttpMethodConfig): Promise<AxiosResponse<T>>;
  delete<T = unknown>(url: string, config?: HttpMethodConfig): Promise<AxiosResponse<T>>;
  head<T = unknown>(url: string, config?: HttpMethodConfig): Promise<AxiosResponse<T>>;
  options<T = unknown>(url: string, config?: HttpMethodConfig): Promise<AxiosResponse<T>>;
  post<T = unknown, D = unknown>(
    url: string,
    data?: D,
    config?: HttpMethodConfig<D>,
  ): Promise<AxiosResponse<T, D>>;
  put<T = unknown, D = unknown>(
    url: string,
    data?: D,
    config?: HttpMethodConfig<D>,
  ): Promise<AxiosResponse<T, D>>;
  patch<T = unknown, D = unknown>(
    url: string,
    data?: D,
    config?: HttpMethodConfig<D>,
  ): Promise<AxiosResponse<T, D>>;
  /** One breaker per upstream origin (`http://host:port`); `undefined` with `breaker: false`. */
  readonly breakers: BreakerRegistry | undefined;
  /**
   * The concurrency limiter of each upstream called so far (key: the origin, as for `breakers`), for metrics
   * (`limit`, `inFlight`, `queued`); `undefined` with `concurrency: false`.
   */
  readonly limiters: ReadonlyMap<string, ConcurrencyLimiter> | undefined;
  /**
   * The same policy for non-HTTP work, sharing this client's breakers, retry budget, logger and hooks:
   * `client.protection.call(fn, { key })` or `callWithProtection(fn, { key, protection: client.protection })`.
   */
  readonly protection: Protection;
  /** Shuts the breakers down and destroys the keep-alive agents the client created. Idempotent. */
  close(): void;
}

function positiveNumber(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
    throw new TypeError(`option ${name} must be a number > 0, got ${describeValue(value)}`);
  }
}

function validateConfig(config: HttpRequestConfig & { timeout?: unknown }, url: unknown): void {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(`request config must be an object, got ${describeValue(config)}`);
  }
  if (typeof url !== 'string') throw new TypeError(`option url must be a string, got ${describeValue(url)}`);
  if (config.timeout !== undefined) {
    throw new TypeError('option timeout is not supported (did you mean timeoutMs?)');
  }
  positiveNumber('timeoutMs', config.timeoutMs);
  positiveNumber('deadlineMs', config.deadlineMs);
  checkDeadline(config.deadline);
  if (config.hedge !== undefined && config.hedge !== false) {
    throw new TypeError(
      `option hedge must be false or left out per call, got ${describeValue(config.hedge)}`,
    );
  }
  if (config.retries !== undefined && (!Number.isSafeInteger(config.retries) || config.retries < 0)) {
    throw new TypeError(`option retries must be an integer >= 0, got ${describeValue(config.retries)}`);
  }
  if (config.idempotent !== undefined && typeof config.idempotent !== 'boolean') {
    throw new TypeError(`option idempotent must be a boolean, got ${describeValue(config.idempotent)}`);
  }
  const key = config.idempotencyKey;
  if (key !== undefined && typeof key !== 'boolean' && (typeof key !== 'string' || key.length === 0)) {
    throw new TypeError(
      `option idempotencyKey must be a boolean or a non-empty string, got ${describeValue(key)}`,
    );
  }
}

/** Keys of a request config that belong to the client, not to axios (or that the client sets itself). */
const CLIENT_KEYS: ReadonlySet<string> = new Set([
  'url',
  'method',
  'timeoutMs',
  'deadlineMs',
  'deadline',
  'hedge',
  'signal',
  'retries',
  'idempotencyKey',
  'idempotent',
  'headers',
]);

/**
 * The config handed to axios: the caller's config without the client's own keys, with `url`, `method`,
 * `headers`, and `data` when given. A loop rather than `const { timeoutMs, ..., ...rest } = config`: object rest
 * costs about 0.5 us per call here.
 */
function axiosConfigOf<D>(
  config: HttpRequestConfig<D>,
  url: string,
  method: string,
  headers: Record<string, unknown>,
  data: D | undefined,
): AxiosRequestConfig<D> {
  const axiosConfig: Record<string, unknown> = { url, method, headers };
  for (const key of Object.keys(config)) {
    if (!CLIENT_KEYS.has(key)) axiosConfig[key] = (config as Record<string, unknown>)[key];
  }
  if (data !== undefined) axiosConfig.data = data;
  return axiosConfig as AxiosRequestConfig<D>;
}

function isRequestIdHeaderName(name: string): boolean {
  return name.toLowerCase() === REQUEST_ID_HEADER;
}

/** How the core loop's observer sees one HTTP call (a class: no closures to allocate per call). */
class HttpCallDescription implements CallDescription {
  constructor(
    readonly info: CallInfo,
    private readonly timeoutMs: number,
    private readonly now: () => number,
    private readonly statusCodes: ReadonlySet<number>,
  ) {}

  get notIdempotent(): string {
    return `${this.info.method} is retried only with an Idempotency-Key header`;
  }

  describeFailure(raw: unknown, attempt: number): Failure {
    // The client's own limiter refused the attempt: nothing was sent, so neither a retry nor the breaker applies.
    if (isConcurrencyLimitError(raw)) {
      return {
        error: raw,
        retryable: false,
        countsAsFailure: false,
        breakerIgnores: true,
        reason: raw.code,
        retryAfterMs: raw.retryAfterMs,
        status: undefined,
      };
    }
    const { method, url, requestId } = this.info;
    const now = this.now();
    return describeTypedFailure(
      toHttpClientError(raw, { method, url, attempts: attempt, requestId, timeoutMs: this.timeoutMs, now }),
      this.statusCodes,
    );
  }

  timeoutError(attempt: number, timeoutMs: number): TimeoutError {
    const { method, url, requestId } = this.info;
    return new TimeoutError({ method, url, attempts: attempt, requestId, timeoutMs });
  }

  statusOf(response: unknown): number | undefined {
    return (response as AxiosResponse).status;
  }
}

/**
 * One client for every outbound HTTP call of a service: per-attempt timeout, retries with jittered backoff
 * and `Retry-After`, a retry budget, a deadline, a circuit breaker per upstream, `X-Request-ID` propagation
 * and typed errors. See the package README for the ordering and what is retried.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const resolved = resolveHttpClientOptions(options);
  const ownedAgents: Array<HttpAgent | HttpsAgent> = [];
  const httpAgent = resolved.httpAgent ?? new HttpAgent(HTTP_CLIENT_DEFAULTS.agent);
  const httpsAgent = resolved.httpsAgent ?? new HttpsAgent(HTTP_CLIENT_DEFAULTS.agent);
  if (resolved.httpAgent === undefined) ownedAgents.push(httpAgent);
  if (resolved.httpsAgent === undefined) ownedAgents.push(httpsAgent);
  const undici = resolved.transport === 'undici' ? createUndiciAdapter() : undefined;

  const instance: AxiosInstance = axios.create({
    ...(resolved.baseURL === undefined ? {} : { baseURL: resolved.baseURL }),
    httpAgent,
    httpsAgent,
    ...(undici === undefined ? {} : { adapter: undici.adapter }),
    // The policy owns timeouts (per attempt and per call); axios' own stays off.
    timeout: 0,
    ...(resolved.maxResponseBytes === undefined ? {} : { maxContentLength: resolved.maxResponseBytes }),
  });
  // An X-Request-ID among the client's default headers is only a fallback: inside a request context that
  // request's id wins (a header set per call still wins over both).
  const defaultRequestId = headerValue(resolved.headers, REQUEST_ID_HEADER);
  const defaultRequestIdNames =
    resolved.headers === undefined ? [] : Object.keys(resolved.headers).filter(isRequestIdHeaderName);
  const targets = new RequestTargets();
  const runtime = createPolicyRuntime(resolved);
  const concurrency = resolved.concurrency;
  const limiters = concurrency === false ? undefined : new Map<string, ConcurrencyLimiter>();
  const attemptLimiters = new Map<string, AttemptLimiter>();
  /** The upstream's limiter as the core loop wants it, created on the upstream's first call. */
  function attemptLimiterFor(upstream: string): AttemptLimiter | undefined {
    if (limiters === undefined || concurrency === false) return undefined;
    let attemptLimiter = attemptLimiters.get(upstream);
    if (attemptLimiter === undefined) {
      const limiter = createConcurrencyLimiter(concurrency);
      limiters.set(upstream, limiter);
      attemptLimiter = { acquire: (signal) => limiter.acquire({ signal }) };
      attemptLimiters.set(upstream, attemptLimiter);
    }
    return attemptLimiter;
  }
  let closed = false;
  const protection = protectionFromRuntime(runtime, () => {
    if (closed) return;
    closed = true;
    for (const limiter of limiters?.values() ?? []) limiter.close();
    for (const agent of ownedAgents) agent.destroy();
    undici?.close();
  });

  function request<T = unknown, D = unknown>(config: HttpRequestConfig<D>): Promise<AxiosResponse<T, D>> {
    return send<T, D>(config, config?.url, config?.method, undefined);
  }

  /**
   * `request(config)`, with `url`, `method` and (when defined) `data` given apart: the shorthands pass theirs
   * without copying the caller's config (a `{ ...config, url, method }` per call cost about 1.5 us, and the
   * copy was slower to read afterwards).
   */
  function send<T, D>(
    config: HttpRequestConfig<D>,
    url: unknown,
    methodName: string | undefined,
    data: D | undefined,
  ): Promise<AxiosResponse<T, D>> {
    try {
      validateConfig(config as HttpRequestConfig, url);
    } catch (error) {
      return Promise.reject(error);
    }
    const { timeoutMs: callTimeoutMs, deadlineMs, deadline, signal, retries, idempotencyKey } = config;
    const callerHeaders = config.headers;
    const method = (methodName ?? 'get').toUpperCase();

    // Precedence: an X-Request-ID set on this call (it may be propagating an id from a message or a job),
    // then the current request context's id, then one among the client's default headers, then a new one.
    const callerRequestId = headerValue(callerHeaders, REQUEST_ID_HEADER);
    const requestId = callerRequestId ?? getRequestId() ?? defaultRequestId ?? generateRequestId();
    const headers: Record<string, unknown> = {};
    if (resolved.headers !== undefined) Object.assign(headers, resolved.headers);
    if (callerHeaders !== undefined && callerHeaders !== null) Object.assign(headers, callerHeaders);
    if (callerRequestId === undefined) {
      // The default's spelling (X-Request-ID, x-request-id, ...) must not travel next to the chosen id.
      for (const name of defaultRequestIdNames) delete headers[name];
      headers[REQUEST_ID_HEADER] = requestId;
    }
    const trace = startCallTrace(headers, callerHeaders);

    let idempotent = config.idempotent ?? resolved.retry.methods.has(method);
    if (config.idempotent === undefined && !idempotent && (method === 'POST' || method === 'PATCH')) {
      if (headerValue(headers, 'idempotency-key') !== undefined) {
        idempotent = true;
      } else {
        const wanted = idempotencyKey ?? resolved.idempotencyKey;
        if (wanted !== false) {
          headers[IDEMPOTENCY_KEY_HEADER] = typeof wanted === 'string' ? wanted : randomUUID();
          idempotent = true;
        }
      }
    }

    const axiosConfig = axiosConfigOf(config, url as string, method, headers, data);
    let target: RequestTarget;
    try {
      target = targets.resolve(config.baseURL ?? resolved.baseURL, url as string);
    } catch (cause) {
      return Promise.reject(
        new HttpClientError('ERR_HTTP_REQUEST', 'could not be sent: the URL is not absolute (set baseURL?)', {
          method,
          url: safeUrl(resolveUrl(config.baseURL ?? resolved.baseURL, url as string)),
          attempts: 0,
          requestId,
          cause,
        }),
      );
    }
    const timeoutMs = callTimeoutMs ?? resolved.timeoutMs;
    const hedge = config.hedge === false ? undefined : resolved.hedge;
    const observer = new CallObserver(
      runtime,
      new HttpCallDescription(
        { method, url: target.safeUrl, upstream: target.upstream, requestId },
        timeoutMs,
        resolved.now,
        resolved.retry.statusCodes,
      ),
    );
    return runtime.resilience.run<AxiosResponse<T, D>>(
      target.upstream,
      (attemptSignal) => {
        // axiosConfig belongs to this call and axios copies it: no copy per attempt is needed.
        axiosConfig.signal = attemptSignal;
        trace?.stamp(headers);
        return instance.request<T, AxiosResponse<T, D>, D>(axiosConfig);
      },
      {
        idempotent,
        retries: retries ?? resolved.retry.retries,
        attemptTimeoutMs: timeoutMs,
        deadline,
        deadlineMs: deadlineMs ?? resolved.deadlineMs,
        signal,
        classify: observer.classify,
        hooks: observer,
        errors: observer,
        ...(hedge === undefined || !idempotent ? {} : { hedge, hedgeHooks: observer.hedgeHooks() }),
        limiter: attemptLimiterFor(target.upstream),
        // axios' own adapters reject as soon as the signal aborts; a custom `adapter` might not.
        settlesOnAbort: config.adapter === undefined,
      },
    );
  }

  const withoutBody =
    (method: string) =>
    <T>(url: string, config: HttpMethodConfig = {}): Promise<AxiosResponse<T>> =>
      send<T, unknown>(config, url, method, undefined);
  const withBody =
    (method: string) =>
    <T, D>(url: string, data?: D, config: HttpMethodConfig<D> = {}): Promise<AxiosResponse<T, D>> =>
      send<T, D>(config, url, method, data);

  return {
    request,
    get: withoutBody('GET'),
    delete: withoutBody('DELETE'),
    head: withoutBody('HEAD'),
    options: withoutBody('OPTIONS'),
    post: withBody('POST'),
    put: withBody('PUT'),
    patch: withBody('PATCH'),
    breakers: runtime.breakers,
    limiters,
    protection,
    close: () => protection.close(),
  };
}
