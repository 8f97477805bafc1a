import { describe, expect, it } from 'vitest';
import { request } from '../../test/helpers/records.js';
import {
  ANONYMOUS_REQUEST,
  REDIS_WAIT_BOUND_MS,
  redisAddress,
  redisUrlVia,
  slowRedisSuccess,
} from './slow-redis.js';

describe('slow-redis helpers', () => {
  it("bounds a request's Redis wait by mock-api's documented 3 x REDIS_COMMAND_TIMEOUT_MS (1000 ms)", () => {
    expect(REDIS_WAIT_BOUND_MS).toBe(3000);
  });

  it('reads host and port from a redis:// URL, 6379 by default', () => {
    expect(redisAddress('redis://127.0.0.1:6390')).toEqual({ host: '127.0.0.1', port: 6390 });
    expect(redisAddress('redis://user:secret@redis.internal/2')).toEqual({
      host: 'redis.internal',
      port: 6379,
    });
    expect(() => redisAddress('rediss://127.0.0.1:6379')).toThrow(TypeError);
  });

  it('points a Redis URL at the proxy, keeping credentials and database', () => {
    expect(redisUrlVia('redis://user:secret@127.0.0.1:6379/2', '127.0.0.1', 41234)).toBe(
      'redis://user:secret@127.0.0.1:41234/2',
    );
    expect(redisUrlVia('redis://127.0.0.1', '127.0.0.1', 41234)).toBe('redis://127.0.0.1:41234');
  });

  it("counts a 429 as success for the anonymous clients only, and the consumer's answers by 2xx", () => {
    expect(slowRedisSuccess(request({ name: ANONYMOUS_REQUEST, status: 429 }))).toBe(true);
    expect(slowRedisSuccess(request({ name: ANONYMOUS_REQUEST, status: 503 }))).toBe(false);
    expect(slowRedisSuccess(request({ name: 'checkout', status: 429 }))).toBe(false);
    expect(slowRedisSuccess(request({ name: 'checkout', status: 201 }))).toBe(true);
  });
});
