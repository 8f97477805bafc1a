import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A registry stand-in on 127.0.0.1 that answers every request 404 and remembers it. */
export interface RegistryRecorder {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** `METHOD /path` of every request so far, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts the recorder. Point a scope at it (`--@resilience:registry=<url>`) and nothing npm asks about that
 * scope leaves the machine; what it asked is in `requests`.
 */
export async function startRegistryRecorder(): Promise<RegistryRecorder> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'content-type': 'application/json', connection: 'close' });
    res.end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
