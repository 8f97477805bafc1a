import { ResilienceError, type ResilienceErrorInit } from './resilience-error.js';

/** The caller's signal aborted the call. `cause`: the signal's reason. */
export class AbortedError extends ResilienceError {
  constructor(init: ResilienceErrorInit) {
    super(`Call "${init.key}" was aborted by the caller`, 'ERR_ABORTED', init);
    this.name = 'AbortedError';
  }
}

/** True when `error` is an {@link AbortedError}. */
export function isAbortedError(error: unknown): error is AbortedError {
  return error instanceof AbortedError;
}
