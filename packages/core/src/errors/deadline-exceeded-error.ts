import { ResilienceError, type ResilienceErrorInit } from './resilience-error.js';

/** The call's deadline passed (during an attempt or a backoff wait). `cause`: the last attempt's error, if any. */
export class DeadlineExceededError extends ResilienceError {
  /** The deadline's whole budget in ms. */
  readonly deadlineMs: number;

  constructor(init: ResilienceErrorInit & { readonly deadlineMs: number }) {
    super(
      `Call "${init.key}" exceeded its deadline of ${init.deadlineMs} ms after ${init.attempts} attempt${init.attempts === 1 ? '' : 's'}`,
      'ERR_DEADLINE_EXCEEDED',
      init,
    );
    this.name = 'DeadlineExceededError';
    this.deadlineMs = init.deadlineMs;
  }
}

/** True when `error` is a {@link DeadlineExceededError}. */
export function isDeadlineExceededError(error: unknown): error is DeadlineExceededError {
  return error instanceof DeadlineExceededError;
}
