import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConsumerHandle, startConsumer } from './helpers/stack.js';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

describe('an upstream that redirects', () => {
  const servers: Server[] = [];
  let consumer: ConsumerHandle | undefined;

  afterEach(async () => {
    await consumer?.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is not followed: the API key never reaches another host and the user gets 502 upstream_error', async () => {
    const elsewhere: IncomingHttpHeaders[] = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.headers);
      res.end('{}');
    });
    servers.push(other);
    const otherUrl = await listen(other);
    const redirecting = createServer((_req, res) => {
      res.writeHead(302, { location: `${otherUrl}/api/items` }).end();
    });
    servers.push(redirecting);
    consumer = await startConsumer({ url: await listen(redirecting) });

    const response = await consumer.request('/catalog');
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ error: 'bad_gateway', reason: 'upstream_error' });
    expect(elsewhere).toEqual([]);
  });
});
