import { EventEmitter } from 'node:events';
import { createLogger } from '@resilience/logging';
import { ClientClosedError, ClientOfflineError, SocketClosedUnexpectedlyError } from 'redis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRedisTimeoutError, RedisTimeoutError } from '../errors/redis-timeout-error.js';
import { isRedisUnavailableError, RedisUnavailableError } from '../errors/redis-unavailable-error.js';
import {
  commandMayHaveRun,
  createRedisConnection,
  describeConnectionFailure,
  type RedisClientLike,
  reconnectDelay,
  redisAddress,
  sendWithTimeout,
} from './redis-connection.js';

class FakeClient extends EventEmitter implements RedisClientLike {
  isOpen = false;
  isReady = false;
  destroyed = false;
  reply: Promise<unknown> = Promise.resolve('OK');
  connect = vi.fn(() => {
    this.isOpen = true;
    return new Promise<unknown>(() => {});
  });
  sendCommand = vi.fn((_args: readonly string[]) => this.reply);
  destroy(): void {
    this.destroyed = true;
  }
}

function logCapture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { lines, logger };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('sendWithTimeout', () => {
  it('rejects with a RedisTimeoutError when no reply comes within the timeout', async () => {
    vi.useFakeTimers();
    const client = new FakeClient();
    client.reply = new Promise(() => {});
    const pending = sendWithTimeout(client, ['EVALSHA', 'x'], 100);
    let settled = false;
    const outcome = pending
      .catch((error: unknown) => error)
      .finally(() => {
        settled = true;
      });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // The timeout is confirmed after the loop's I/O turn (setImmediate).
    await vi.runOnlyPendingTimersAsync();
    const error = await outcome;
    expect(isRedisTimeoutError(error)).toBe(true);
    expect(String(error)).toContain('EVALSHA got no answer within 100 ms');
  });

  it('passes replies and errors through and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const client = new FakeClient();
    client.reply = Promise.resolve('PONG');
    await expect(sendWithTimeout(client, ['PING'], 100)).resolves.toBe('PONG');
    client.reply = Promise.reject(new Error('The client is offline'));
    await expect(sendWithTimeout(client, ['PING'], 100)).rejects.toThrow('The client is offline');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createRedisConnection', () => {
  it('starts connecting without waiting, and logs the first error of an outage at error, repeats at debug', () => {
    const client = new FakeClient();
    const { lines, logger } = logCapture();
    const connection = createRedisConnection({ client, owned: true, logger, commandTimeoutMs: 100 });
    expect(client.connect).toHaveBeenCalledTimes(1);
    expect(connection.isReady()).toBe(false);
    client.emit('error', new Error('connect ECONNREFUSED'));
    client.emit('error', new Error('connect ECONNREFUSED'));
    expect(lines.map((line) => line.level)).toEqual(['error', 'debug']);
    client.isReady = true;
    client.emit('ready');
    client.emit('error', new Error('Socket closed unexpectedly'));
    expect(lines.map((line) => line.level)).toEqual(['error', 'debug', 'info', 'error']);
  });

  it('calls ready listeners on every ready event until disposed', () => {
    const client = new FakeClient();
    const connection = createRedisConnection({
      client,
      owned: true,
      logger: logCapture().logger,
      commandTimeoutMs: 100,
    });
    const listener = vi.fn();
    const dispose = connection.onReady(listener);
    client.emit('ready');
    client.emit('ready');
    dispose();
    client.emit('ready');
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('destroys the client on close only when it owns it', async () => {
    const owned = new FakeClient();
    await createRedisConnection({
      client: owned,
      owned: true,
      logger: logCapture().logger,
      commandTimeoutMs: 100,
    }).close();
    expect(owned.destroyed).toBe(true);
    const borrowed = new FakeClient();
    borrowed.isOpen = true;
    const connection = createRedisConnection({
      client: borrowed,
      owned: false,
      logger: logCapture().logger,
      commandTimeoutMs: 100,
    });
    expect(borrowed.connect).not.toHaveBeenCalled();
    await connection.close();
    expect(borrowed.destroyed).toBe(false);
    expect(borrowed.listenerCount('error')).toBe(0);
  });
});

describe('a reply that arrives while the timeout fires', () => {
  it('wins: the reply was already there when the loop got to read it', async () => {
    vi.useFakeTimers();
    const client = new FakeClient();
    let answer!: (reply: unknown) => void;
    client.reply = new Promise((resolve) => {
      answer = resolve;
    });
    const pending = sendWithTimeout(client, ['GET', 'k'], 100);
    await vi.advanceTimersByTimeAsync(100);
    answer('value');
    await vi.runOnlyPendingTimersAsync();
    await expect(pending).resolves.toBe('value');
  });
});

describe('a stalled Redis', () => {
  it('fails new commands at once while a timed-out command is unanswered, and recovers on its reply', async () => {
    vi.useFakeTimers();
    const client = new FakeClient();
    client.isOpen = true;
    const connection = createRedisConnection({
      client,
      owned: false,
      logger: logCapture().logger,
      commandTimeoutMs: 100,
    });
    let answer!: (reply: unknown) => void;
    client.reply = new Promise((resolve) => {
      answer = resolve;
    });
    const first = connection.send(['EVALSHA', 'minute']).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    await vi.runOnlyPendingTimersAsync();
    expect(isRedisTimeoutError(await first)).toBe(true);

    // No timer advance: the second command is refused without being sent.
    const second = await connection.send(['EVALSHA', 'hour']).catch((error: unknown) => error);
    expect(String(second)).toContain('an earlier command is still unanswered');
    expect(client.sendCommand).toHaveBeenCalledTimes(1);

    answer('late');
    await vi.advanceTimersByTimeAsync(0);
    client.reply = Promise.resolve('OK');
    await expect(connection.send(['PING'])).resolves.toBe('OK');
    await connection.close();
  });
});

describe('reconnectDelay', () => {
  it('doubles from 50 ms up to 2 s, plus under 50 ms of jitter', () => {
    expect(reconnectDelay(0, () => 0)).toBe(50);
    expect(reconnectDelay(3, () => 0)).toBe(400);
    expect(reconnectDelay(30, () => 0)).toBe(2000);
    expect(reconnectDelay(30, () => 0.999)).toBe(2049);
  });
});

/** A connection failure as node's net module reports it. */
function refused(address: string, port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), {
    code: 'ECONNREFUSED',
    address,
    port,
  });
}

describe('a command while Redis is unreachable', () => {
  it('fails naming Redis, its address and the last connection failure, not "The client is offline"', async () => {
    const client = new FakeClient();
    const connection = createRedisConnection({
      client,
      owned: true,
      logger: logCapture().logger,
      commandTimeoutMs: 100,
      address: 'redis.internal:6380',
    });
    client.reply = Promise.reject(new ClientOfflineError());
    const before = await connection.send(['GET', 'k']).catch((error: unknown) => error);
    expect(String(before)).toBe(
      'RedisUnavailableError: redis unreachable at redis.internal:6380 (not connected yet), GET not sent',
    );
    const cause = refused('10.0.0.7', 6380);
    client.emit('error', cause);
    client.reply = Promise.reject(new ClientOfflineError());
    const error = await connection.send(['EVALSHA', 'sha']).catch((caught: unknown) => caught);
    expect(isRedisUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'ERR_REDIS_UNAVAILABLE',
      message: 'redis unreachable at redis.internal:6380 (ECONNREFUSED), EVALSHA not sent',
      address: 'redis.internal:6380',
      reason: 'ECONNREFUSED',
      command: 'EVALSHA',
      cause,
    });
    expect(commandMayHaveRun(error)).toBe(false);
    expect(connection.unavailableError('PING').message).toBe(
      'redis unreachable at redis.internal:6380 (ECONNREFUSED), PING not sent',
    );
    await connection.close();
    client.reply = Promise.reject(new ClientClosedError());
    expect(String(await connection.send(['GET', 'k']).catch((caught: unknown) => caught))).toContain(
      '(client closed), GET not sent',
    );
  });

  it('takes the address from the connection failure when none is given, and passes other errors through', async () => {
    const client = new FakeClient();
    const connection = createRedisConnection({
      client,
      owned: true,
      logger: logCapture().logger,
      commandTimeoutMs: 100,
    });
    client.emit('error', refused('127.0.0.1', 1));
    client.reply = Promise.reject(new ClientOfflineError());
    await expect(connection.send(['EVAL'])).rejects.toThrow(
      'redis unreachable at 127.0.0.1:1 (ECONNREFUSED), EVAL not sent',
    );
    const broken = new SocketClosedUnexpectedlyError();
    client.reply = Promise.reject(broken);
    await expect(connection.send(['EVAL'])).rejects.toBe(broken);
    await connection.close();
  });
});

describe('redisAddress', () => {
  it('is host:port of the URL, 6379 by default, without credentials', () => {
    expect(redisAddress('redis://user:secret@10.1.2.3:6380/2')).toBe('10.1.2.3:6380');
    expect(redisAddress('rediss://cache.internal')).toBe('cache.internal:6379');
  });
});

describe('describeConnectionFailure', () => {
  it('is the system code when there is one, else the message', () => {
    expect(describeConnectionFailure(refused('127.0.0.1', 1))).toBe('ECONNREFUSED');
    expect(describeConnectionFailure(new Error('Connection timeout'))).toBe('Connection timeout');
    expect(describeConnectionFailure(undefined)).toBe('not connected yet');
  });
});

describe('commandMayHaveRun', () => {
  it('is false only for a command that never left the process', () => {
    expect(commandMayHaveRun(new RedisUnavailableError('127.0.0.1:6379', 'ECONNREFUSED', 'EVAL'))).toBe(
      false,
    );
    expect(commandMayHaveRun(new ClientOfflineError())).toBe(false);
    expect(commandMayHaveRun(new ClientClosedError())).toBe(false);
    expect(commandMayHaveRun(new RedisTimeoutError('EVAL', 100, true))).toBe(false);
  });

  it('is true for a timeout, a broken connection or anything unknown', () => {
    expect(commandMayHaveRun(new RedisTimeoutError('EVAL', 100))).toBe(true);
    expect(commandMayHaveRun(new SocketClosedUnexpectedlyError())).toBe(true);
    expect(commandMayHaveRun(new Error('boom'))).toBe(true);
  });
});
