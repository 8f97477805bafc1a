import type { ClientRateLimitInfo, IncrementResponse } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import type { RedisConnection } from './redis-connection.js';

/**
 * rate-limit-redis's store on a {@link RedisConnection}, failing with a readable error when it is used before its
 * `init` ran. `init` loads the store's scripts and needs Redis, so it waits until Redis is first ready; until
 * then rate-limit-redis itself would fail each request with `Cannot read properties of undefined (reading
 * 'toString')` (its window length is still unset). This store says `redis unreachable at 127.0.0.1:6379
 * (ECONNREFUSED), EVALSHA not sent` instead.
 */
export class RedisRateLimitStore extends RedisStore {
  readonly #connection: RedisConnection;

  constructor(connection: RedisConnection, prefix: string) {
    super({ sendCommand: (...args: string[]) => connection.send(args) as never, prefix });
    this.#connection = connection;
  }

  override async increment(key: string): Promise<IncrementResponse> {
    if ((this.windowMs as number | undefined) === undefined) throw this.#notInitialised();
    return super.increment(key);
  }

  override async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    if ((this.getScriptSha as Promise<string> | undefined) === undefined) throw this.#notInitialised();
    return super.get(key);
  }

  #notInitialised(): Error {
    if (!this.#connection.isReady()) return this.#connection.unavailableError('EVALSHA');
    return new Error(
      `rate-limit store ${this.prefix}* is not initialised yet: its scripts load when Redis becomes ready`,
    );
  }
}
