/** Stable codes of the errors `@resilience/core` throws itself. */
export type ResilienceErrorCode = 'ERR_DEADLINE_EXCEEDED' | 'ERR_ATTEMPT_TIMEOUT' | 'ERR_ABORTED';

export interface ResilienceErrorInit {
  /** The key the call ran under (its breaker's name). */
  readonly key: string;
  /** Attempts started, this one included. */
  readonly attempts: number;
  readonly cause?: unknown;
}

/** Base class of the errors `@resilience/core` throws itself (an operation's own errors pass through untouched). */
export class ResilienceError extends Error {
  /** Stable, machine-readable code. */
  readonly code: ResilienceErrorCode;
  readonly key: string;
  readonly attempts: number;

  constructor(message: string, code: ResilienceErrorCode, init: ResilienceErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ResilienceError';
    this.code = code;
    this.key = init.key;
    this.attempts = init.attempts;
  }
}

/** True when `error` was thrown by `@resilience/core`. */
export function isResilienceError(error: unknown): error is ResilienceError {
  return error instanceof ResilienceError;
}
