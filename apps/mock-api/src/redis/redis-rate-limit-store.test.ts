import type { Options } from 'express-rate-limit';
import { describe, expect, it, vi } from 'vitest';
import { RedisUnavailableError } from '../errors/redis-unavailable-error.js';
import type { RedisConnection } from './redis-connection.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

function fakeConnection(ready: boolean): RedisConnection & { send: ReturnType<typeof vi.fn> } {
  return {
    send: vi.fn(async (args: readonly string[]) => {
      if (args[0] === 'SCRIPT') return 'sha1';
      if (args[0] === 'EVALSHA') return [3, 60_000];
      return 'OK';
    }),
    isReady: () => ready,
    unavailableError: (command) => new RedisUnavailableError('127.0.0.1:1', 'ECONNREFUSED', command),
    onReady: () => () => {},
    close: async () => {},
  };
}

describe('RedisRateLimitStore', () => {
  it('fails before its init with the Redis error, not a TypeError about toString', async () => {
    const connection = fakeConnection(false);
    const store = new RedisRateLimitStore(connection, 'p:rl:minute:');
    await expect(store.increment('client')).rejects.toThrow(
      'redis unreachable at 127.0.0.1:1 (ECONNREFUSED), EVALSHA not sent',
    );
    await expect(store.get('client')).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(connection.send).not.toHaveBeenCalled();
  });

  it('says it is not initialised yet when Redis is ready but init has not run', async () => {
    const store = new RedisRateLimitStore(fakeConnection(true), 'p:rl:minute:');
    await expect(store.increment('client')).rejects.toThrow(
      'rate-limit store p:rl:minute:* is not initialised yet: its scripts load when Redis becomes ready',
    );
  });

  it('counts through the connection once initialised', async () => {
    const connection = fakeConnection(true);
    const store = new RedisRateLimitStore(connection, 'p:rl:minute:');
    await store.init({ windowMs: 60_000 } as Options);
    const counted = await store.increment('client');
    expect(counted.totalHits).toBe(3);
    expect(connection.send).toHaveBeenCalledWith(['EVALSHA', 'sha1', '1', 'p:rl:minute:client', '60000']);
  });
});
