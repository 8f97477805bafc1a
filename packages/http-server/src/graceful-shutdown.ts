import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ServerLogger } from './logger.js';
import { assertInteger, assertLogger, describe } from './validation.js';

/** Options of {@link installGracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** Receives the shutdown lines (`shutting down`, `forcing connections closed`, `shutdown complete`). */
  logger: ServerLogger;
  /**
   * Most time in-flight requests get to finish; remaining connections are then destroyed. The
   * same bound applies again to `onShutdown`.
   * @default 10000
   */
  timeoutMs?: number | undefined;
  /**
   * Signals that start the shutdown. A second one while shutting down exits at once with code 1.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[] | undefined;
  /**
   * Runs synchronously the moment shutdown starts, before draining: release work that would hold
   * the drain open (long polls, held requests). A throw is logged and does not stop the shutdown.
   * @default none
   */
  onShutdownStart?: ((reason: string) => void) | undefined;
  /**
   * Runs once the server is closed and its connections are gone: close Redis, shut breakers down, ...
   * If it throws, rejects or outlasts `timeoutMs`, the process exits with code 1.
   * @default none
   */
  onShutdown?: (() => Promise<void> | void) | undefined;
  /**
   * Called last with the exit code (0, or 1 when `onShutdown` failed). Injected in tests.
   * @default process.exit
   */
  exit?: ((code: number) => void) | undefined;
}

/** What {@link installGracefulShutdown} returns. */
export interface GracefulShutdown {
  /** True from the moment shutdown starts: answer `/readyz` with 503. */
  isShuttingDown(): boolean;
  /** Starts the shutdown (as a signal would); resolves after `exit` was called. Idempotent. */
  shutdown(reason: string): Promise<void>;
  /** Removes the signal handlers (for tests, or to hand shutdown to someone else). */
  dispose(): void;
}

export const DEFAULT_GRACEFUL_SHUTDOWN_OPTIONS = Object.freeze({
  timeoutMs: 10_000,
  signals: Object.freeze(['SIGTERM', 'SIGINT'] as const),
});

const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Drains `server` on SIGTERM/SIGINT: stops accepting connections, closes idle keep-alive
 * connections, lets in-flight requests finish (their responses carry `Connection: close`),
 * destroys what is left after `timeoutMs`, runs `onShutdown`, logs, and exits 0 (1 if
 * `onShutdown` failed).
 */
export function installGracefulShutdown(server: Server, options: GracefulShutdownOptions): GracefulShutdown {
  if (typeof server !== 'object' || server === null || typeof server.close !== 'function') {
    throw new TypeError(`server must be a node:http Server, got ${describe(server)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('graceful shutdown options must be an object with a logger');
  }
  const defaults = DEFAULT_GRACEFUL_SHUTDOWN_OPTIONS;
  const logger = options.logger;
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const signals = [...(options.signals ?? defaults.signals)];
  const onShutdown = options.onShutdown;
  const onShutdownStart = options.onShutdownStart;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  assertLogger(logger);
  assertInteger('timeoutMs', timeoutMs, 1, MAX_TIMEOUT_MS);
  if (!signals.every((signal) => typeof signal === 'string' && signal.startsWith('SIG'))) {
    throw new TypeError(
      `options.signals must be a list of signal names such as 'SIGTERM', got ${describe(signals)}`,
    );
  }
  if (onShutdown !== undefined && typeof onShutdown !== 'function') {
    throw new TypeError(`options.onShutdown must be a function, got ${describe(onShutdown)}`);
  }
  if (onShutdownStart !== undefined && typeof onShutdownStart !== 'function') {
    throw new TypeError(`options.onShutdownStart must be a function, got ${describe(onShutdownStart)}`);
  }
  if (typeof exit !== 'function') {
    throw new TypeError(`options.exit must be a function, got ${describe(exit)}`);
  }

  let shuttingDown = false;
  let done: Promise<void> | undefined;

  // Responses still being produced when shutdown starts: they get `Connection: close`.
  const open = new Set<ServerResponse>();
  const onRequest = (_req: IncomingMessage, res: ServerResponse): void => {
    if (shuttingDown) {
      res.setHeader('Connection', 'close');
      return;
    }
    open.add(res);
    res.once('close', () => open.delete(res));
  };
  server.prependListener('request', onRequest);

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal while shutting down: exiting now');
      exit(1);
      return;
    }
    void shutdown(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);

  const dispose = (): void => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };

  const shutdown = (reason: string): Promise<void> => {
    if (done !== undefined) return done;
    shuttingDown = true;
    done = run(reason);
    return done;
  };

  const run = async (reason: string): Promise<void> => {
    const startedAt = Date.now();
    logger.info({ reason, timeoutMs, inFlight: open.size }, 'shutting down');
    for (const res of open) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    if (onShutdownStart !== undefined) {
      try {
        onShutdownStart(reason);
      } catch (error) {
        logger.error({ err: error, reason }, 'shutdown start hook failed');
      }
    }

    const closed = new Promise<void>((resolve) => {
      // Resolves once every connection has ended (an error only means it was not listening).
      server.close(() => resolve());
    });
    server.closeIdleConnections();

    let forced = false;
    const forceTimer = setTimeout(() => {
      forced = true;
      logger.warn({ reason, timeoutMs, inFlight: open.size }, 'forcing connections closed');
      server.closeAllConnections();
    }, timeoutMs);
    forceTimer.unref();
    await closed;
    clearTimeout(forceTimer);

    let code = 0;
    if (onShutdown !== undefined) {
      try {
        await withTimeout(Promise.resolve().then(onShutdown), timeoutMs);
      } catch (error) {
        code = 1;
        logger.error({ err: error, reason }, 'shutdown hook failed');
      }
    }
    dispose();
    logger.info({ reason, forced, durationMs: Date.now() - startedAt, exitCode: code }, 'shutdown complete');
    exit(code);
  };

  return { isShuttingDown: () => shuttingDown, shutdown, dispose };
}

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`onShutdown did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
