import { MockApiError } from './mock-api-error.js';

/** A Redis command got no answer within the command timeout (Redis frozen, overloaded or cut off). */
export class RedisTimeoutError extends MockApiError {
  readonly command: string;
  readonly timeoutMs: number;

  constructor(command: string, timeoutMs: number) {
    super('ERR_REDIS_TIMEOUT', `redis ${command} got no answer within ${timeoutMs} ms`);
    this.name = 'RedisTimeoutError';
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}

export function isRedisTimeoutError(value: unknown): value is RedisTimeoutError {
  return value instanceof RedisTimeoutError;
}
