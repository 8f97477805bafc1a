import type { Logger } from '@resilience/logging';
import { ClientClosedError, ClientOfflineError, createClient, createCluster } from 'redis';
import { isRedisTimeoutError, RedisTimeoutError } from '../errors/redis-timeout-error.js';
import { isRedisUnavailableError, RedisUnavailableError } from '../errors/redis-unavailable-error.js';

/** The part of a node-redis client this service uses (a `createClient()` result fits). */
export interface RedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[]): Promise<unknown>;
  /**
   * A cluster client only: sends a command without a key (`WAIT`) to the node that holds `routeKey`.
   * `undefined` on a single-node client.
   */
  readonly sendRouted?: (args: readonly string[], routeKey: string) => Promise<unknown>;
  on(event: string, listener: (error: Error) => void): unknown;
  off(event: string, listener: (error: Error) => void): unknown;
  destroy(): void;
}

/**
 * Sends one raw command, failing after the connection's command timeout. `routeKey` (cluster only, ignored on
 * one Redis) sends a keyless command such as `WAIT` to the node holding that key.
 */
export type RedisCommand = (args: readonly string[], routeKey?: string) => Promise<unknown>;

/** A Redis client with this service's policies: bounded commands, readiness, and ready notifications. */
export interface RedisConnection {
  readonly send: RedisCommand;
  /** Whether the client is a cluster client (commands go to the node of their key's slot). */
  readonly cluster: boolean;
  isReady(): boolean;
  /**
   * The error a command gets while the client is not connected: names Redis, its address and the last
   * connection failure (`redis unreachable at 127.0.0.1:6379 (ECONNREFUSED), EVALSHA not sent`).
   */
  unavailableError(command: string): RedisUnavailableError;
  /** Calls `listener` every time the client becomes ready (first connect and every reconnect); returns a disposer. */
  onReady(listener: () => void): () => void;
  /** Destroys the client if this connection created it; detaches listeners either way. */
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  readonly client: RedisClientLike;
  /** Whether `close()` destroys the client (true when this service created it). */
  readonly owned: boolean;
  readonly logger: Logger;
  /** Longest wait for one command. */
  readonly commandTimeoutMs: number;
  /**
   * `host:port` named in errors (see {@link redisAddress}).
   * @default the address of the last connection failure, or `the configured address`
   */
  readonly address?: string;
}

/** `host:port` of a Redis URL (port 6379 when it has none), without user or password. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
  } catch {
    return 'the configured address';
  }
}

/**
 * Why the client is not connected, in a word or two: the system code of the last connection failure
 * (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, …), else its message (`Connection timeout`, `Socket closed
 * unexpectedly`), else `not connected yet`.
 */
export function describeConnectionFailure(error: Error | undefined): string {
  if (error === undefined) return 'not connected yet';
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code !== '') return code;
  return error.message !== '' ? error.message : error.name;
}

/**
 * Whether a command that failed with `error` may still have run on Redis: true unless it surely never left this
 * process (the client was not connected, or the command was held back while an earlier one is unanswered). A
 * timeout or a connection lost after the write may hide a command that ran.
 */
export function commandMayHaveRun(error: unknown): boolean {
  if (isRedisTimeoutError(error)) return !error.failedFast;
  return !(
    isRedisUnavailableError(error) ||
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError
  );
}

/** Reconnect after 50 ms, doubling up to 2 s, forever (with a little jitter so instances do not align). */
export function reconnectDelay(retries: number, random: () => number = Math.random): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 2000) + Math.floor(random() * 50);
}

/**
 * A node-redis client that fails fast while Redis is away: no offline queue (commands fail at once when
 * disconnected), a connect timeout, reconnection forever, and a PING every second with a 5 s socket
 * inactivity timeout, so a Redis that stops answering (frozen, cut off) is noticed: the socket closes, the
 * client reconnects and readiness reports Redis down meanwhile. Not connected yet: call `connect()` without
 * awaiting it (it resolves when Redis is first reachable).
 */
export function createRedisClient(url: string): RedisClientLike {
  return createClient({
    url,
    disableOfflineQueue: true,
    pingInterval: 1000,
    socket: {
      connectTimeout: 1000,
      socketTimeout: 5000,
      reconnectStrategy: (retries: number) => reconnectDelay(retries),
    },
  });
}

/**
 * The key a command is routed by on a cluster: for `EVAL`/`EVALSHA script numkeys key…` the first key (none when
 * `numkeys` is 0), else the argument after the command name (`GET key`, `MGET key…`, `ZCARD key`).
 */
export function routingKey(args: readonly string[]): string | undefined {
  const command = args[0]?.toUpperCase();
  if (command === 'EVAL' || command === 'EVALSHA') return args[2] === '0' ? undefined : args[3];
  return args[1];
}

/**
 * A node-redis cluster client behind the same small interface as {@link createRedisClient}, with the same
 * policies on every node it connects to (no offline queue, connect timeout, reconnection forever, a PING every
 * second and a socket inactivity timeout). Commands are routed by {@link routingKey}; `MOVED`/`ASK` replies
 * and the slot map refresh after a failover are node-redis's. `ready` is reported when the cluster client has
 * read the slot map (its `connect` event). Not connected yet: call `connect()` without awaiting it.
 */
export function createRedisClusterClient(nodes: readonly string[]): RedisClientLike {
  const cluster = createCluster({
    rootNodes: nodes.map((url) => ({ url })),
    defaults: {
      disableOfflineQueue: true,
      pingInterval: 1000,
      socket: {
        connectTimeout: 1000,
        socketTimeout: 5000,
        reconnectStrategy: (retries: number) => reconnectDelay(retries),
      },
    },
  });
  const event = (name: string): string => (name === 'ready' ? 'connect' : name);
  let destroyed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  // The cluster client reads the slot map once in `connect()` and gives up when no seed answers: retry with the
  // reconnection delays (reporting each failure as an `error`) until it succeeds or the client is destroyed, so
  // a cluster that is down at start is used once it is up, as with one Redis.
  const connect = async (): Promise<unknown> => {
    for (let retries = 0; ; retries += 1) {
      try {
        return await cluster.connect();
      } catch (error) {
        if (destroyed) throw error;
        cluster.emit('error', error);
        await new Promise<void>((resolve) => {
          retryTimer = setTimeout(resolve, reconnectDelay(retries));
        });
        if (destroyed) throw error;
      }
    }
  };
  return {
    get isOpen() {
      return cluster.isOpen;
    },
    get isReady() {
      return cluster.isReady;
    },
    connect,
    sendCommand: (args) => cluster.sendCommand(routingKey(args), false, [...args]),
    sendRouted: (args, routeKey) => cluster.sendCommand(routeKey, false, [...args]),
    on(name, listener) {
      cluster.on(event(name), listener);
      return this;
    },
    off(name, listener) {
      cluster.off(event(name), listener);
      return this;
    },
    destroy: () => {
      destroyed = true;
      clearTimeout(retryTimer);
      if (cluster.isOpen) cluster.destroy();
    },
  };
}

/**
 * Sends one command and gives up after `timeoutMs`. node-redis's own per-command `timeout` only covers the time
 * a command waits to be written: once written, it waits for the reply for as long as the socket lives.
 * `onLateReply` runs when a command that already timed out finally settles; `mapError` turns the client's
 * rejection into the one the caller gets.
 */
export function sendWithTimeout(
  client: RedisClientLike,
  args: readonly string[],
  timeoutMs: number,
  onTimeout: () => void = () => {},
  onLateReply: () => void = () => {},
  mapError: (error: unknown, args: readonly string[]) => unknown = (error) => error,
  routeKey?: string,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      // Under load the loop runs timers before it reads sockets: a reply may already be waiting. Check again
      // after this turn's I/O before calling the command lost.
      setImmediate(() => {
        if (settled) return;
        timedOut = true;
        onTimeout();
        reject(new RedisTimeoutError(args[0] ?? '(empty)', timeoutMs));
      });
    }, timeoutMs);
    timer.unref();
    const settle = (): void => {
      settled = true;
      if (timedOut) onLateReply();
      else clearTimeout(timer);
    };
    const sent =
      routeKey !== undefined && client.sendRouted !== undefined
        ? client.sendRouted(args, routeKey)
        : client.sendCommand(args);
    sent.then(
      (reply) => {
        settle();
        resolve(reply);
      },
      (error: unknown) => {
        settle();
        reject(mapError(error, args));
      },
    );
  });
}

/**
 * Wraps a client: logs its errors (the first of an outage at error level, repeats at debug) instead of letting
 * them crash the process, logs ready transitions, bounds every command, and starts connecting in the background
 * if the client is not open yet: a Redis that is down at start never blocks the service.
 *
 * While a command that timed out is still unanswered, Redis is stalled: new commands fail at once instead of
 * each waiting out its own timeout, so one request never waits more than one timeout in total (its second
 * window's command fails fast). The first reply to arrive, or the socket closing, ends the stall.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { client, owned, logger, commandTimeoutMs } = options;
  const readyListeners = new Set<() => void>();
  let failing = false;
  let closed = false;
  // The connection's last failure, named in the errors of commands refused while it is down.
  let lastFailure: Error | undefined;

  const onError = (error: Error): void => {
    lastFailure = error;
    if (!failing) {
      failing = true;
      logger.error({ err: error }, 'redis connection failed; retrying in the background');
    } else {
      logger.debug({ err: error }, 'redis still unreachable');
    }
  };
  const onReady = (): void => {
    failing = false;
    lastFailure = undefined;
    logger.info('redis ready');
    for (const listener of readyListeners) listener();
  };
  client.on('error', onError);
  client.on('ready', onReady);

  if (!client.isOpen) {
    client.connect().catch((error: unknown) => {
      if (!closed) logger.error({ err: error }, 'redis connect gave up');
    });
  }

  const unavailableError = (command: string): RedisUnavailableError => {
    const failure = lastFailure as (Error & { address?: unknown; port?: unknown }) | undefined;
    const address =
      options.address ??
      (typeof failure?.address === 'string' && typeof failure.port === 'number'
        ? `${failure.address}:${failure.port}`
        : 'the configured address');
    const reason = closed ? 'client closed' : describeConnectionFailure(lastFailure);
    return new RedisUnavailableError(
      address,
      reason,
      command,
      lastFailure === undefined ? {} : { cause: lastFailure },
    );
  };
  // node-redis refuses a command while disconnected with "The client is offline" (or "closed"): name Redis,
  // where it is and why it is unreachable instead.
  const mapError = (error: unknown, args: readonly string[]): unknown =>
    error instanceof ClientOfflineError || error instanceof ClientClosedError
      ? unavailableError(args[0] ?? '(empty)')
      : error;

  let stalled = 0;
  const onTimeout = (): void => {
    stalled += 1;
  };
  const onLateReply = (): void => {
    stalled -= 1;
  };
  return {
    send: (args, routeKey) =>
      stalled > 0
        ? Promise.reject(new RedisTimeoutError(args[0] ?? '(empty)', commandTimeoutMs, true))
        : sendWithTimeout(client, args, commandTimeoutMs, onTimeout, onLateReply, mapError, routeKey),
    cluster: client.sendRouted !== undefined,
    isReady: () => client.isReady,
    unavailableError,
    onReady(listener) {
      const entry = (): void => listener();
      readyListeners.add(entry);
      return () => {
        readyListeners.delete(entry);
      };
    },
    async close() {
      closed = true;
      client.off('ready', onReady);
      if (owned) {
        try {
          client.destroy();
        } catch {
          // already closed
        }
      }
      client.off('error', onError);
    },
  };
}
