import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpClient } from '../src/index.js';
import { captureLogs } from './helpers/logs.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** The idle keep-alive sockets an agent holds. */
function pooledSockets(agent: HttpAgent): Socket[] {
  return Object.values(agent.freeSockets).flatMap((sockets) => sockets ?? []);
}

describe('close()', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await server.close();
  });

  it('destroys the agents the client created but not the ones the caller passed', async () => {
    // Agent#destroy is inherited by https.Agent: the spy sees every agent destroyed, with the agent as `this`.
    const destroy = vi.spyOn(HttpAgent.prototype, 'destroy');
    const callerAgent = new HttpAgent({ keepAlive: true });
    try {
      const withCallerAgent = createHttpClient({
        baseURL: server.origin,
        httpAgent: callerAgent,
        logger: captureLogs().logger,
      });
      await withCallerAgent.get('/x');
      const [socket] = pooledSockets(callerAgent);
      expect(socket?.destroyed).toBe(false);
      withCallerAgent.close();

      // Only the https agent the client created was destroyed; the caller's socket is still pooled.
      expect(destroy).toHaveBeenCalledTimes(1);
      expect(destroy.mock.contexts[0]).toBeInstanceOf(HttpsAgent);
      expect(destroy.mock.contexts).not.toContain(callerAgent);
      expect(socket?.destroyed).toBe(false);

      // The caller's agent still serves requests, on the same connection.
      const again = createHttpClient({ baseURL: server.origin, httpAgent: callerAgent, breaker: false });
      await again.get('/y');
      again.close();
      expect(server.hits).toBe(2);
      expect(server.connections).toBe(1);
    } finally {
      callerAgent.destroy();
    }
  });

  it('destroys both agents it created, closing their pooled sockets, and is idempotent', async () => {
    const destroy = vi.spyOn(HttpAgent.prototype, 'destroy');
    const client = createHttpClient({
      baseURL: server.origin,
      transport: 'node-http',
      logger: captureLogs().logger,
    });
    await client.get('/x');
    client.close();
    client.close();
    expect(destroy).toHaveBeenCalledTimes(2);
    const [first, second] = destroy.mock.contexts as unknown[];
    expect(first).toBeInstanceOf(HttpAgent);
    expect(first).not.toBeInstanceOf(HttpsAgent);
    expect(second).toBeInstanceOf(HttpsAgent);
    // The keep-alive socket of the call above was pooled in the client's http agent and is now destroyed.
    const sockets = pooledSockets(first as HttpAgent);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.destroyed).toBe(true);
  });
});
