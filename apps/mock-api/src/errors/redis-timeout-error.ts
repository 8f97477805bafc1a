import { MockApiError } from './mock-api-error.js';

/** A Redis command got no answer within the command timeout (Redis frozen, overloaded or cut off). */
export class RedisTimeoutError extends MockApiError {
  readonly command: string;
  readonly timeoutMs: number;

  /** True when the command was not sent at all, because an earlier one is still unanswered. */
  readonly failedFast: boolean;

  constructor(command: string, timeoutMs: number, failedFast = false) {
    super(
      'ERR_REDIS_TIMEOUT',
      failedFast
        ? `redis ${command} not sent: an earlier command is still unanswered after ${timeoutMs} ms`
        : `redis ${command} got no answer within ${timeoutMs} ms`,
    );
    this.name = 'RedisTimeoutError';
    this.command = command;
    this.timeoutMs = timeoutMs;
    this.failedFast = failedFast;
  }
}

export function isRedisTimeoutError(value: unknown): value is RedisTimeoutError {
  return value instanceof RedisTimeoutError;
}
