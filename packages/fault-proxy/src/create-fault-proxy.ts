import { createServer, type Server, Socket } from 'node:net';
import { FAULT_PROXY_DEFAULTS, type FaultProxyFaults, resolveFaults } from './faults.js';

export interface FaultProxyOptions {
  /** Where connections are forwarded. */
  readonly target: { readonly host: string; readonly port: number };
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Port to listen on. @default 0 (a free port) */
  readonly port?: number;
  /** Faults from the start. @default {} (pass everything through) */
  readonly faults?: FaultProxyFaults;
  /** Random source of the jitter, in [0, 1): pass a seeded one for reproducible runs. @default Math.random */
  readonly random?: () => number;
}

/** What the proxy did so far. */
export interface FaultProxyStats {
  /** Client connections accepted. */
  readonly connections: number;
  /** Connections cut by `resetReplyEvery` or `resetNextReply()` in the middle of a reply. */
  readonly resets: number;
  /** Chunks forwarded towards the target (`up`) and back (`down`). */
  readonly chunksUp: number;
  readonly chunksDown: number;
  /** Chunks a blackhole swallowed, both ways. */
  readonly swallowed: number;
  /** Chunks held by a stall right now. */
  readonly held: number;
  /** Chunks waiting out `latencyMs` + jitter right now, both ways. */
  readonly delayed: number;
}

/** A running proxy. Everything is forwarded as it is until faults are set. */
export interface FaultProxy {
  readonly port: number;
  readonly host: string;
  /** Replaces the current faults (fields left out are off). */
  setFaults(faults: FaultProxyFaults): void;
  /** Cuts the next reply chunk in half: the first half reaches the client, then the connection is reset. */
  resetNextReply(): void;
  /** Resets every open connection now (both sides). */
  resetAll(): void;
  stats(): FaultProxyStats;
  /** Stops listening and destroys every connection. Idempotent. */
  close(): Promise<void>;
}

interface Direction {
  readonly from: Socket;
  readonly to: Socket;
  readonly down: boolean;
  /**
   * Delayed chunks in arrival order, each with the time it is due (never before the one ahead of it), and the
   * one timer that delivers the head: chunks can never overtake each other, whatever timers do with equal times.
   */
  readonly queue: Array<{ readonly chunk: Buffer; readonly dueAt: number }>;
  timer: NodeJS.Timeout | undefined;
  /** Chunks held while stalled. */
  held: Buffer[];
}

/**
 * A TCP proxy that misbehaves on demand, for tests and load runs that need a slow, frozen or failing network
 * between a service and its dependency (a real Redis, a real HTTP server):
 * - `latencyMs` + `jitterMs`: each chunk, each way, is delayed by latency plus a random 0..jitter (order kept);
 * - `stall`: nothing is forwarded until the stall ends, then everything held goes through;
 * - `blackhole`: everything is swallowed (connections are accepted and stay open, nothing ever answers). Like a
 *   network partition, a connection that lost data never carries data again: when the blackhole ends, every
 *   connection it swallowed bytes of is reset (a TCP stream cannot go on with a hole in it; a Redis client would
 *   match later replies to the wrong commands), and new connections work;
 * - `resetReplyEvery: n`: every n-th reply chunk is cut in half and the connection reset, so the client sees
 *   a partial reply and `ECONNRESET` after the server did the work.
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { target } = options;
  if (typeof target?.host !== 'string' || !Number.isInteger(target.port)) {
    throw new TypeError('createFaultProxy: target must be { host: string, port: integer }');
  }
  const random = options.random ?? Math.random;
  const host = options.host ?? FAULT_PROXY_DEFAULTS.host;
  let faults = resolveFaults(options.faults ?? {});
  const sockets = new Set<Socket>();
  const directions = new Set<Direction>();
  /** Directions a blackhole swallowed bytes of: their connections are reset when it ends. */
  const swallowed = new Set<Direction>();
  let resetArmed = false;
  let downChunks = 0;
  const counters = { connections: 0, resets: 0, chunksUp: 0, chunksDown: 0, swallowed: 0 };

  function destroyPair(client: Socket, upstream: Socket): void {
    client.resetAndDestroy();
    upstream.resetAndDestroy();
  }

  function shouldReset(): boolean {
    downChunks += 1;
    if (resetArmed) {
      resetArmed = false;
      return true;
    }
    return faults.resetReplyEvery > 0 && downChunks % faults.resetReplyEvery === 0;
  }

  function deliver(direction: Direction, chunk: Buffer, client: Socket, upstream: Socket): void {
    if (direction.to.destroyed) return;
    if (direction.down && shouldReset()) {
      counters.resets += 1;
      const half = Math.max(1, Math.floor(chunk.length / 2));
      direction.to.write(chunk.subarray(0, half), () => destroyPair(client, upstream));
      return;
    }
    if (direction.down) counters.chunksDown += 1;
    else counters.chunksUp += 1;
    direction.to.write(chunk);
  }

  function forward(direction: Direction, chunk: Buffer, client: Socket, upstream: Socket): void {
    if (faults.blackhole) {
      counters.swallowed += 1;
      swallowed.add(direction);
      return;
    }
    if (faults.stall) {
      direction.held.push(chunk);
      return;
    }
    const delay = faults.latencyMs + (faults.jitterMs > 0 ? random() * faults.jitterMs : 0);
    if (delay <= 0 && direction.queue.length === 0) {
      deliver(direction, chunk, client, upstream);
      return;
    }
    const last = direction.queue.at(-1);
    direction.queue.push({ chunk, dueAt: Math.max(last?.dueAt ?? 0, Date.now() + delay) });
    if (direction.timer === undefined) armQueue(direction, client, upstream);
  }

  /** Delivers every queued chunk that is due, in order, then waits for the next one. */
  function armQueue(direction: Direction, client: Socket, upstream: Socket): void {
    const head = direction.queue[0];
    if (head === undefined) {
      direction.timer = undefined;
      return;
    }
    direction.timer = setTimeout(
      () => {
        const now = Date.now();
        while (direction.queue.length > 0 && (direction.queue[0]?.dueAt ?? 0) <= now) {
          const next = direction.queue.shift();
          if (next !== undefined) deliver(direction, next.chunk, client, upstream);
        }
        armQueue(direction, client, upstream);
      },
      Math.max(0, Math.ceil(head.dueAt - Date.now())),
    );
  }

  function releaseHeld(): void {
    for (const direction of directions) {
      const held = direction.held;
      direction.held = [];
      const pair = direction.down ? [direction.to, direction.from] : [direction.from, direction.to];
      const [client, upstream] = pair as [Socket, Socket];
      for (const chunk of held) forward(direction, chunk, client, upstream);
    }
  }

  const server: Server = createServer((client) => {
    counters.connections += 1;
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    const up: Direction = { from: client, to: upstream, down: false, queue: [], timer: undefined, held: [] };
    const down: Direction = { from: upstream, to: client, down: true, queue: [], timer: undefined, held: [] };
    directions.add(up);
    directions.add(down);
    const cleanUp = (): void => {
      for (const direction of [up, down]) {
        clearTimeout(direction.timer);
        direction.timer = undefined;
        direction.queue.length = 0;
      }
      sockets.delete(client);
      sockets.delete(upstream);
      directions.delete(up);
      directions.delete(down);
      swallowed.delete(up);
      swallowed.delete(down);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('error', cleanUp);
    upstream.on('error', cleanUp);
    client.on('close', cleanUp);
    upstream.on('close', cleanUp);
    client.on('data', (chunk: Buffer) => forward(up, chunk, client, upstream));
    upstream.on('data', (chunk: Buffer) => forward(down, chunk, client, upstream));
    upstream.connect(target.port, target.host);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? FAULT_PROXY_DEFAULTS.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    setFaults(next) {
      const wasStalled = faults.stall;
      const wasBlackhole = faults.blackhole;
      faults = resolveFaults(next);
      if (wasStalled && !faults.stall) releaseHeld();
      if (wasBlackhole && !faults.blackhole) {
        for (const direction of swallowed) {
          direction.from.resetAndDestroy();
          direction.to.resetAndDestroy();
        }
        swallowed.clear();
      }
    },
    resetNextReply() {
      resetArmed = true;
    },
    resetAll() {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    stats: () => {
      let held = 0;
      let delayed = 0;
      for (const direction of directions) {
        held += direction.held.length;
        delayed += direction.queue.length;
      }
      return { ...counters, held, delayed };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
