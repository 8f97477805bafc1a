import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHedgePolicy } from '../src/index.js';

/** GET over node:http, aborted with `signal` (which destroys the request's socket). */
function fetchText(url: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(url, { signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

describe('hedging over real sockets', () => {
  it("closes the losing attempt's connection: the server sees it close before it answered", async () => {
    let arrivals = 0;
    let heldClosed!: () => void;
    const heldClosedOnServer = new Promise<void>((resolve) => {
      heldClosed = resolve;
    });
    let heldAnswered = false;
    // The first request to arrive is held (a slow instance); every later one is answered at once.
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      arrivals += 1;
      if (arrivals === 1) {
        res.on('close', () => {
          heldAnswered = res.writableFinished;
          heldClosed();
        });
        return;
      }
      res.end(`answer ${arrivals}`);
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    const policy = createHedgePolicy({ delayMs: 0, maxExtraRatio: 1 });
    const body = await policy.run((signal) => fetchText(`http://127.0.0.1:${port}/`, signal));

    expect(body).toBe('answer 2');
    await heldClosedOnServer;
    expect(heldAnswered).toBe(false);
    expect(arrivals).toBe(2);
    expect(policy.stats()).toMatchObject({ hedgesSent: 1, cancelled: 1 });
  });
});
