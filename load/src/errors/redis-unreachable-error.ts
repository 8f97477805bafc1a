import { LoadError } from './load-error.js';

/** The Redis a scenario needs does not answer. */
export class RedisUnreachableError extends LoadError {
  constructor(url: string) {
    super(
      'ERR_LOAD_REDIS_UNREACHABLE',
      `Redis is not reachable at ${url}; start it with \`redis-server --daemonize yes --port 6379 --save ""\``,
    );
    this.name = 'RedisUnreachableError';
  }
}

export function isRedisUnreachableError(value: unknown): value is RedisUnreachableError {
  return value instanceof RedisUnreachableError;
}
