import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server does with one request. */
export type Behaviour =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  /** Destroys the socket without answering: the client sees ECONNRESET (socket hang up). */
  | 'reset'
  /** Never answers: the client's attempt times out. */
  | 'hang';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values as sent, names in their original case (`[name, value, name, value, ...]`). */
  readonly rawHeaders: readonly string[];
  readonly body: string;
  /** Date.now() when the request arrived (fake time when fake timers are on). */
  readonly at: number;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Requests received so far. */
  readonly hits: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Replaces the remaining script. */
  script(behaviours: readonly Behaviour[]): void;
  /** Called with each request as it arrives (after it is recorded). */
  onRequest(listener: (request: RecordedRequest) => void): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1, port 0. Each request takes the next behaviour of the script; when the
 * script runs out it answers 200 `{"ok":true}`.
 */
export async function startTestServer(initial: readonly Behaviour[] = []): Promise<TestServer> {
  let queue: Behaviour[] = [...initial];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const listeners: Array<(request: RecordedRequest) => void> = [];
  let connections = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      const behaviour = queue.shift() ?? { status: 200, body: '{"ok":true}' };
      if (behaviour === 'reset') {
        req.socket.destroy();
      } else if (behaviour === 'hang') {
        hanging.add(res);
      } else {
        res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers });
        res.end(behaviour.body ?? '{}');
      }
      for (const listener of listeners) listener(recorded);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    get hits() {
      return requests.length;
    },
    get connections() {
      return connections;
    },
    script(behaviours) {
      queue = [...behaviours];
    },
    onRequest(listener) {
      listeners.push(listener);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      hanging.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An origin on which nothing listens (connections are refused). */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
