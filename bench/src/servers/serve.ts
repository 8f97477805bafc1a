/**
 * What every benchmark server does: listen on 127.0.0.1 on a port the OS picks, announce `LISTENING <port>` on
 * stdout (what the harness's `spawnServer` waits for), and on SIGTERM close every connection, run `onClose`
 * and exit 0.
 */
import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';

export function serve(handler: RequestListener, onClose: () => Promise<void> = async () => {}): Server {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : Number.NaN;
    process.stdout.write(`LISTENING ${port}\n`);
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => {
      void onClose().then(() => process.exit(0));
    });
  });
  return server;
}
