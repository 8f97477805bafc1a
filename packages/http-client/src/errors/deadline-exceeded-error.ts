import { HttpClientError, type HttpClientErrorOptions } from './http-client-error.js';

export interface DeadlineExceededErrorOptions extends HttpClientErrorOptions {
  readonly deadlineMs: number;
}

/**
 * The call's `deadlineMs` (all attempts and backoff together) expired while an attempt was in flight.
 * `cause` is the previous attempt's error, if there was one.
 */
export class DeadlineExceededError extends HttpClientError {
  override name = 'DeadlineExceededError';
  declare readonly code: 'ERR_DEADLINE';
  readonly deadlineMs: number;

  constructor(options: DeadlineExceededErrorOptions) {
    super('ERR_DEADLINE', `exceeded its deadline of ${options.deadlineMs} ms`, options);
    this.deadlineMs = options.deadlineMs;
  }
}

/** True when `error` is a {@link DeadlineExceededError}. */
export function isDeadlineExceededError(error: unknown): error is DeadlineExceededError {
  return error instanceof DeadlineExceededError;
}
