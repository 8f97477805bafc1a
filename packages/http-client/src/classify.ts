import { AxiosError, AxiosHeaders } from 'axios';
import { isNetworkError as isTransientNetworkError } from 'axios-retry';
import { isAbortError } from './errors/abort-error.js';
import { isDeadlineExceededError } from './errors/deadline-exceeded-error.js';
import { HttpClientError } from './errors/http-client-error.js';
import { HttpStatusError } from './errors/http-status-error.js';
import { NetworkError } from './errors/network-error.js';
import { ResponseTooLargeError } from './errors/response-too-large-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { parseRetryAfter } from './retry-after.js';

/** Statuses worth another attempt: the upstream may answer differently in a moment. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Statuses whose `Retry-After` header sets the wait before the next attempt. */
export const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Methods that may be sent twice without changing the result (RFC 9110), so are retried for any failure. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Largest response body kept on an `HttpStatusError`, in characters. */
export const MAX_ERROR_BODY_LENGTH = 2048;

/**
 * axios' codes for requests that could not be built or answers that could not be read: a bug or a
 * configuration problem, never transient.
 */
const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'ERR_BAD_OPTION_VALUE',
  'ERR_BAD_OPTION',
  'ERR_INVALID_URL',
  'ERR_NOT_SUPPORT',
  'ERR_DEPRECATED',
  'ERR_FR_TOO_MANY_REDIRECTS',
  'ERR_BAD_RESPONSE',
  'ERR_FORM_DATA_DEPTH_EXCEEDED',
]);

/**
 * How axios says a body went over `maxContentLength` (code `ERR_BAD_RESPONSE`, no response attached): its
 * message is the only thing that tells it from its other unreadable answers.
 */
const MAX_CONTENT_LENGTH_EXCEEDED = /^maxContentLength size of (\d+) exceeded$/;

/** Codes axios gives an attempt that ran out of time on its own (a connect timeout from the OS, for one). */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ECONNABORTED', 'ETIMEDOUT']);

/**
 * DNS failures. axios-retry's `isNetworkError` refuses `ENOTFOUND` (it is on is-retry-allowed's deny list);
 * inside a cluster a name that does not resolve is usually a service being rolled out, so it is retried here.
 */
const DNS_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/** What the retry loop needs to know about a failed attempt. */
export interface Failure {
  /** The error the caller gets if this is the last attempt. */
  readonly error: unknown;
  /** Transient: another attempt may succeed. */
  readonly retryable: boolean;
  /** Counts toward the upstream's breaker (network errors, timeouts, 5xx, 408). */
  readonly countsAsFailure: boolean;
  /**
   * Neither a failure nor a sign of life for the breaker (a cancellation: the upstream never answered).
   * Takes precedence over `countsAsFailure`.
   */
  readonly breakerIgnores?: boolean;
  /** Status (`'503'`) or code (`'ECONNRESET'`, `'ERR_HTTP_TIMEOUT'`) for logs and hooks. */
  readonly reason: string;
  /** The upstream's `Retry-After` wait, for 429 and 503 only. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
}

export interface AttemptInfo {
  readonly method: string;
  readonly url: string;
  readonly attempts: number;
  readonly requestId: string | undefined;
  readonly timeoutMs: number;
  readonly now: number;
}

/** Is this typed error worth another attempt? `statusCodes`: the statuses that are (`retry.statusCodes`). */
export function isRetryableError(
  error: HttpClientError,
  statusCodes: ReadonlySet<number> = RETRYABLE_STATUSES,
): boolean {
  if (error instanceof HttpStatusError) return statusCodes.has(error.status);
  if (error instanceof TimeoutError) return true;
  if (error instanceof NetworkError) return Reflect.get(error, kRetryable) !== false;
  return false;
}

/** Does this typed error count toward the upstream's breaker? */
export function countsAsBreakerFailure(error: unknown): boolean {
  if (error instanceof HttpStatusError) return error.status >= 500 || error.status === 408;
  if (error instanceof TimeoutError || error instanceof NetworkError) return true;
  // Cancellation by the caller or the deadline says nothing about the upstream.
  if (isAbortError(error) || isDeadlineExceededError(error)) return false;
  // ERR_HTTP_REQUEST: the request was never sent.
  if (error instanceof HttpClientError) return false;
  return true;
}

/** Why a network error is not retried although it is one (TLS certificate errors): kept off the public type. */
const kRetryable = Symbol('retryable');

export function describeTypedFailure(
  error: HttpClientError,
  statusCodes: ReadonlySet<number> = RETRYABLE_STATUSES,
): Failure {
  const status = error instanceof HttpStatusError ? error.status : undefined;
  const reason =
    status !== undefined
      ? String(status)
      : error instanceof NetworkError
        ? (error.systemCode ?? error.code)
        : error.code;
  return {
    error,
    retryable: isRetryableError(error, statusCodes),
    countsAsFailure: countsAsBreakerFailure(error),
    breakerIgnores: isAbortError(error) || isDeadlineExceededError(error),
    reason,
    retryAfterMs:
      error instanceof HttpStatusError && RETRY_AFTER_STATUSES.has(error.status)
        ? error.retryAfterMs
        : undefined,
    status,
  };
}

/** Turns what one axios attempt threw into a typed error (raw AxiosErrors never escape). */
export function toHttpClientError(raw: unknown, info: AttemptInfo): HttpClientError {
  if (raw instanceof HttpClientError) return raw;
  const base = {
    method: info.method,
    url: info.url,
    attempts: info.attempts,
    requestId: info.requestId,
    cause: raw,
  };
  if (!(raw instanceof AxiosError)) {
    return new HttpClientError('ERR_HTTP_REQUEST', `could not be sent: ${describeCause(raw)}`, base);
  }
  const response = raw.response;
  if (response !== undefined) {
    const headers = headersToRecord(response.headers);
    return new HttpStatusError({
      ...base,
      status: response.status,
      statusText: response.statusText,
      body: bodyToText(response.data),
      headers,
      retryAfterMs: parseRetryAfter(headers['retry-after'], info.now),
    });
  }
  const code = raw.code ?? systemCodeOf(raw.cause);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new TimeoutError({ ...base, timeoutMs: info.timeoutMs });
  }
  const tooLarge =
    code === AxiosError.ERR_BAD_RESPONSE ? MAX_CONTENT_LENGTH_EXCEEDED.exec(raw.message) : null;
  if (tooLarge !== null) return new ResponseTooLargeError({ ...base, limitBytes: Number(tooLarge[1]) });
  if (code !== undefined && REQUEST_ERROR_CODES.has(code)) {
    return new HttpClientError('ERR_HTTP_REQUEST', `could not be sent: ${raw.message}`, base);
  }
  const error = new NetworkError({ ...base, systemCode: code });
  const retryable = (code !== undefined && DNS_CODES.has(code)) || isTransientNetworkError(raw);
  if (!retryable) Object.defineProperty(error, kRetryable, { value: false });
  return error;
}

function systemCodeOf(cause: unknown): string | undefined {
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  return typeof code === 'string' ? code : undefined;
}

function describeCause(raw: unknown): string {
  return raw instanceof Error ? raw.message : String(raw);
}

function headersToRecord(headers: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  const source = headers instanceof AxiosHeaders ? headers.toJSON() : headers;
  if (typeof source !== 'object' || source === null) return record;
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return record;
}

/** The response body as text, cut to {@link MAX_ERROR_BODY_LENGTH} characters. */
export function bodyToText(data: unknown): string {
  let text: string;
  if (data === undefined || data === null) text = '';
  else if (typeof data === 'string') text = data;
  else if (Buffer.isBuffer(data)) text = data.toString('utf8', 0, MAX_ERROR_BODY_LENGTH * 4);
  else if (data instanceof ArrayBuffer)
    text = Buffer.from(data).toString('utf8', 0, MAX_ERROR_BODY_LENGTH * 4);
  else if (typeof data === 'object' && typeof Reflect.get(data, 'pipe') === 'function') text = '[stream]';
  else {
    try {
      text = JSON.stringify(data) ?? String(data);
    } catch {
      text = String(data);
    }
  }
  return text.length > MAX_ERROR_BODY_LENGTH ? `${text.slice(0, MAX_ERROR_BODY_LENGTH)}…[truncated]` : text;
}
