import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';

export interface StartedServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with a port chosen by the OS; `close()` drops open connections and waits. */
export async function startServer(handler: RequestListener): Promise<StartedServer> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new TypeError('expected a TCP address');
  const { port } = address;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
