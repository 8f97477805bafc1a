import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerLogger } from './logger.js';
import { assertInteger, assertLogger, describe } from './validation.js';

/** Options of {@link listen}. */
export interface ListenOptions {
  /** Port to listen on; `0` picks a free one (the listening line and the result carry the real one). */
  port: number;
  /**
   * Interface to bind.
   * @default '127.0.0.1'
   */
  host?: string | undefined;
  /** Receives the single `listening` info line. */
  logger: ServerLogger;
  /**
   * Most time to receive a whole request (headers and body) before answering 408 (`server.requestTimeout`).
   * @default 30000
   */
  requestTimeoutMs?: number | undefined;
  /**
   * Most time to receive the request headers (`server.headersTimeout`); at most `requestTimeoutMs`.
   * @default 20000
   */
  headersTimeoutMs?: number | undefined;
  /**
   * How long an idle keep-alive connection stays open (`server.keepAliveTimeout`). Longer than a load
   * balancer's idle timeout (60 s on common ones), so the balancer, not this server, closes idle
   * connections and never sends a request on a socket being closed.
   * @default 65000
   */
  keepAliveTimeoutMs?: number | undefined;
  /**
   * Socket inactivity timeout while a request is being handled (`server.timeout`): a response that
   * sends nothing for this long has its socket destroyed. `0` disables it.
   * @default 120000
   */
  socketTimeoutMs?: number | undefined;
}

const LISTEN_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is already in use (another process listens on it)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not one of this machine’s',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

/**
 * Why {@link listen} could not bind: `code` is the system's (`EADDRINUSE`, `EACCES`, ...), the message says
 * it in words with the address, and `cause` is the original error.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code: string;
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number, cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'ERR_LISTEN';
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    super(`cannot listen on ${address}: ${LISTEN_PROBLEMS[code] ?? cause.message}`, { cause });
    this.code = code;
    this.host = host;
    this.port = port;
  }
}

export function isListenError(error: unknown): error is ListenError {
  return error instanceof ListenError;
}

/** A listening server. */
export interface ListeningServer {
  readonly server: Server;
  /** The real port (useful with `port: 0`). */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops accepting, closes idle keep-alive connections, resolves when in-flight requests are done. */
  close(): Promise<void>;
}

export const DEFAULT_LISTEN_OPTIONS = Object.freeze({
  host: '127.0.0.1',
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  keepAliveTimeoutMs: 65_000,
  socketTimeoutMs: 120_000,
});

const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Starts an HTTP server for `app` (an Express app or any request listener), waits until it
 * listens, and logs one line: `{"msg":"listening","port":<real port>,"url":"http://host:port",...}`.
 */
export async function listen(app: RequestListener, options: ListenOptions): Promise<ListeningServer> {
  if (typeof app !== 'function') {
    throw new TypeError(`app must be a request listener (an Express app), got ${describe(app)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('listen options must be an object with port and logger');
  }
  const defaults = DEFAULT_LISTEN_OPTIONS;
  const port = options.port;
  const host = options.host ?? defaults.host;
  const requestTimeoutMs = options.requestTimeoutMs ?? defaults.requestTimeoutMs;
  const headersTimeoutMs = options.headersTimeoutMs ?? Math.min(defaults.headersTimeoutMs, requestTimeoutMs);
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? defaults.keepAliveTimeoutMs;
  const socketTimeoutMs = options.socketTimeoutMs ?? defaults.socketTimeoutMs;

  assertInteger('port', port, 0, 65_535);
  if (typeof host !== 'string' || host.length === 0) {
    throw new TypeError(`options.host must be a non-empty string, got ${describe(host)}`);
  }
  assertLogger(options.logger);
  assertInteger('requestTimeoutMs', requestTimeoutMs, 1, MAX_TIMEOUT_MS);
  assertInteger('headersTimeoutMs', headersTimeoutMs, 1, requestTimeoutMs);
  assertInteger('keepAliveTimeoutMs', keepAliveTimeoutMs, 1, MAX_TIMEOUT_MS);
  assertInteger('socketTimeoutMs', socketTimeoutMs, 0, MAX_TIMEOUT_MS);

  const server = createServer({ requestTimeout: requestTimeoutMs, headersTimeout: headersTimeoutMs }, app);
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.timeout = socketTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new ListenError(host, port, error));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const actualPort = address.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  options.logger.info({ port: actualPort, host, url }, 'listening');

  return {
    server,
    port: actualPort,
    url,
    close: () => closeServer(server),
  };
}

/** Stops accepting, closes idle connections, resolves once every connection has ended. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => {
      if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
