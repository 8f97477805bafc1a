import { ResilienceError, type ResilienceErrorInit } from './resilience-error.js';

/** One attempt took longer than its `attemptTimeoutMs`; its signal was aborted. Retryable by default. */
export class AttemptTimeoutError extends ResilienceError {
  readonly timeoutMs: number;

  constructor(init: ResilienceErrorInit & { readonly timeoutMs: number }) {
    super(
      `Attempt ${init.attempts} of "${init.key}" timed out after ${init.timeoutMs} ms`,
      'ERR_ATTEMPT_TIMEOUT',
      init,
    );
    this.name = 'AttemptTimeoutError';
    this.timeoutMs = init.timeoutMs;
  }
}

/** True when `error` is an {@link AttemptTimeoutError}. */
export function isAttemptTimeoutError(error: unknown): error is AttemptTimeoutError {
  return error instanceof AttemptTimeoutError;
}
