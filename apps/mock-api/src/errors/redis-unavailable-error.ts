import { MockApiError } from './mock-api-error.js';

/**
 * A Redis command was not sent because the client is not connected (Redis down, unreachable, or the client
 * closed). The command surely did not run. The message names Redis, its address and the connection's last
 * failure, e.g. `redis unreachable at 127.0.0.1:6379 (ECONNREFUSED), EVALSHA not sent`; `cause` is that failure.
 */
export class RedisUnavailableError extends MockApiError {
  /** `host:port` of the Redis the client connects to. */
  readonly address: string;
  /** Why it is not connected: a system code (`ECONNREFUSED`, `ENOTFOUND`, …) or a short phrase. */
  readonly reason: string;
  /** The command that was not sent, e.g. `EVALSHA`. */
  readonly command: string;

  constructor(address: string, reason: string, command: string, options: { readonly cause?: unknown } = {}) {
    super(
      'ERR_REDIS_UNAVAILABLE',
      `redis unreachable at ${address} (${reason}), ${command} not sent`,
      options,
    );
    this.name = 'RedisUnavailableError';
    this.address = address;
    this.reason = reason;
    this.command = command;
  }
}

export function isRedisUnavailableError(value: unknown): value is RedisUnavailableError {
  return value instanceof RedisUnavailableError;
}
