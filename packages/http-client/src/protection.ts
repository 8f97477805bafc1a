import { type BreakerRegistry, createBreakerRegistry, isCircuitOpenError } from '@resilience/circuit-breaker';
import { createResilience, type Deadline } from '@resilience/core';
import { createLogger, getRequestId } from '@resilience/logging';
import { CallObserver, checkDeadline, type PolicyRuntime } from './call-observer.js';
import { describeTypedFailure, type Failure } from './classify.js';
import { HttpClientError } from './errors/http-client-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import {
  describeValue,
  type ProtectionLogger,
  type ProtectionOptions,
  type ResolvedProtectionOptions,
  resolveProtectionOptions,
} from './options.js';

/** Builds the shared state of a client or a protection from resolved options. */
export function createPolicyRuntime(options: ResolvedProtectionOptions): PolicyRuntime {
  const logger: ProtectionLogger = options.logger ?? createLogger({ service: 'http-client' });
  const breakers = options.breaker === false ? undefined : createBreakerRegistry({ ...options.breaker });
  breakers?.onStateChange(({ key, from, to }) => {
    const fields = { upstream: key, from, to };
    if (to === 'OPEN') logger.warn(fields, 'circuit breaker opened');
    else logger.info(fields, to === 'CLOSED' ? 'circuit breaker closed' : 'circuit breaker half-open');
  });
  const { retry } = options;
  const resilience = createResilience({
    retry: {
      retries: retry.retries,
      baseDelayMs: retry.baseDelayMs,
      maxDelayMs: retry.maxDelayMs,
      jitter: retry.jitter,
      random: retry.random,
      maxRetryAfterMs: retry.maxRetryAfterMs,
    },
    retryBudget: options.retryBudget === false ? false : { ...options.retryBudget },
    breaker: breakers ?? false,
    attemptTimeoutMs: options.timeoutMs,
    now: options.now,
  });
  return { options, logger, hooks: options.hooks, breakers, resilience };
}

/** What a protected function receives on each attempt. */
export interface ProtectedCallContext {
  /** Aborts when the attempt times out, the caller aborts or the deadline expires. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** Per-call options of `callWithProtection` and `protection.call`. */
export interface ProtectedCallOptions {
  /** Breaker key and label in logs and errors, e.g. `'redis'` or `'payments-sdk'`. */
  readonly key: string;
  /** Cancels the attempt in flight and any pending backoff. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Whether `fn` may run more than once. With `false` nothing is retried.
   * @default true
   */
  readonly idempotent?: boolean | undefined;
  /**
   * Which errors are worth another attempt.
   * @default typed errors of this package by their own rules (5xx/408/429, network, timeouts), breaker
   * rejections never, any other error always
   */
  readonly isRetryable?: ((error: unknown) => boolean) | undefined;
  /**
   * Which errors count toward the breaker (`false`: a sign of life that resets its failure count).
   * Cancellation by the call's own signal or deadline is always neutral for the breaker, whatever this says.
   * @default everything except 4xx HttpStatusErrors (other than 408); AbortError and DeadlineExceededError are
   * neutral (neither failure nor sign of life)
   */
  readonly isFailure?: ((error: unknown) => boolean) | undefined;
  /** Overrides the protection's `timeoutMs` for this call. */
  readonly timeoutMs?: number | undefined;
  /** Overrides the protection's `deadlineMs` for this call. */
  readonly deadlineMs?: number | undefined;
  /**
   * A deadline shared with the rest of the request (`createDeadline`); wins over `deadlineMs`.
   * @default none
   */
  readonly deadline?: Deadline | undefined;
  /** Overrides `retry.retries` for this call. */
  readonly retries?: number | undefined;
}

/** A retry + breaker + deadline policy for any async function. */
export interface Protection {
  /** Runs `fn` under the policy; see {@link callWithProtection}. */
  call<T>(fn: (context: ProtectedCallContext) => Promise<T>, options: ProtectedCallOptions): Promise<T>;
  /** One breaker per `key`; `undefined` with `breaker: false`. */
  readonly breakers: BreakerRegistry | undefined;
  /** Stops every breaker timer. Calls made afterwards are rejected by their breaker. */
  close(): void;
}

/** Turns whatever `fn` threw into a `Failure` with the caller's (or the default) rules. */
function describeCallFailure(
  raw: unknown,
  options: ProtectedCallOptions,
  statusCodes: ReadonlySet<number>,
): Failure {
  const typed = raw instanceof HttpClientError ? describeTypedFailure(raw, statusCodes) : undefined;
  const retryable = options.isRetryable
    ? options.isRetryable(raw)
    : typed
      ? typed.retryable
      : !isCircuitOpenError(raw);
  const countsAsFailure = options.isFailure ? options.isFailure(raw) : typed ? typed.countsAsFailure : true;
  const code = typeof raw === 'object' && raw !== null ? Reflect.get(raw, 'code') : undefined;
  const name = raw instanceof Error ? raw.name : typeof raw;
  return {
    error: raw,
    retryable,
    countsAsFailure,
    // A typed cancellation (an AbortError or DeadlineExceededError from a client call made inside fn) is neutral
    // for the breaker unless the caller classifies failures itself.
    breakerIgnores: options.isFailure === undefined && typed?.breakerIgnores === true,
    reason: typed?.reason ?? (typeof code === 'string' ? code : name),
    retryAfterMs: typed?.retryAfterMs,
    status: typed?.status,
  };
}

function positiveNumber(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`option ${name} must be a number > 0, got ${describeValue(value)}`);
  }
}

function validateCall(fn: unknown, options: ProtectedCallOptions): void {
  if (typeof fn !== 'function') throw new TypeError(`fn must be a function, got ${describeValue(fn)}`);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object with a key, got ${describeValue(options)}`);
  }
  if (typeof options.key !== 'string' || options.key.length === 0) {
    throw new TypeError(`option key must be a non-empty string, got ${describeValue(options.key)}`);
  }
  positiveNumber('timeoutMs', options.timeoutMs);
  positiveNumber('deadlineMs', options.deadlineMs);
  checkDeadline(options.deadline);
  if (options.retries !== undefined && (!Number.isSafeInteger(options.retries) || options.retries < 0)) {
    throw new TypeError(`option retries must be an integer >= 0, got ${describeValue(options.retries)}`);
  }
}

/** Runs `fn` under `runtime`'s policy. Invalid arguments reject with a TypeError naming the option. */
export function callUnderPolicy<T>(
  runtime: PolicyRuntime,
  fn: (context: ProtectedCallContext) => Promise<T>,
  options: ProtectedCallOptions,
): Promise<T> {
  try {
    validateCall(fn, options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { key } = options;
  const requestId = getRequestId();
  const statusCodes = runtime.options.retry.statusCodes;
  const observer = new CallObserver(runtime, {
    info: { method: 'CALL', url: key, upstream: key, requestId },
    describeFailure: (raw) => describeCallFailure(raw, options, statusCodes),
    timeoutError: (attempt, ms) =>
      new TimeoutError({ method: 'CALL', url: key, attempts: attempt, requestId, timeoutMs: ms }),
    notIdempotent: 'the call is not idempotent',
  });
  return runtime.resilience.run(key, (signal, attempt) => fn({ signal, attempt }), {
    idempotent: options.idempotent ?? true,
    retries: options.retries ?? runtime.options.retry.retries,
    attemptTimeoutMs: options.timeoutMs ?? runtime.options.timeoutMs,
    deadline: options.deadline,
    deadlineMs: options.deadlineMs ?? runtime.options.deadlineMs,
    signal: options.signal,
    classify: observer.classify,
    hooks: observer,
    errors: observer,
  });
}

/**
 * A reusable retry + breaker + deadline policy for async functions that are not HTTP calls through the client
 * (a Redis command, an SDK call). Breakers are per `key`. Share one across calls: the breaker and the retry
 * budget only work when they see many calls.
 */
export function createProtection(options: ProtectionOptions = {}): Protection {
  const runtime = createPolicyRuntime(resolveProtectionOptions(options));
  return protectionFromRuntime(runtime);
}

export function protectionFromRuntime(runtime: PolicyRuntime, onClose?: () => void): Protection {
  return {
    call: (fn, callOptions) => callUnderPolicy(runtime, fn, callOptions),
    breakers: runtime.breakers,
    close() {
      runtime.breakers?.shutdown();
      onClose?.();
    },
  };
}
