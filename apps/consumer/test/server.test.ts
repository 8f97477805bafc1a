import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChildScript, runScript } from './helpers/child-process.js';
import { send } from './helpers/http.js';
import { type MockApiHandle, startMockApi, TEST_API_KEY } from './helpers/stack.js';

const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));

/** A keep-alive connection that has had one answer and now sits idle: the server closes it when it drains. */
async function idleConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  await once(socket, 'data');
  return socket;
}

describe('dist/server.js', () => {
  let upstream: MockApiHandle | undefined;
  let child: ChildScript | undefined;

  beforeAll(() => {
    if (!existsSync(SERVER)) {
      throw new Error(`${SERVER} is missing: build first (pnpm --filter @resilience/consumer build)`);
    }
  });

  afterEach(async () => {
    child?.kill();
    await upstream?.close();
    child = undefined;
    upstream = undefined;
  });

  it('listens on the port PORT=0 picked, logs it, and drains in-flight requests on SIGTERM before exiting 0', async () => {
    upstream = await startMockApi();
    child = runScript(SERVER, {
      PORT: '0',
      UPSTREAM_URL: upstream.url,
      UPSTREAM_API_KEY: TEST_API_KEY,
      LOG_LEVEL: 'info',
    });
    const listening = await child.waitForLine((line) => line.msg === 'listening');
    const port = Number(listening.port);
    expect(port).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${port}`;
    expect(listening.url).toBe(url);
    expect((await send(`${url}/readyz`)).status).toBe(200);

    // A request held upstream is in flight when SIGTERM arrives.
    const idle = await idleConnection(port);
    const idleClosed = once(idle, 'close');
    const release = upstream.hold();
    const inFlight = send(`${url}/catalog`, { headers: { 'x-request-id': 'req-in-flight' } });
    await upstream.waitForHits(1);
    child.process.kill('SIGTERM');
    await child.waitForLine((line) => line.msg === 'shutting down');

    // The drain closes idle keep-alive connections and stops listening: a new connection is never served. It is
    // refused, or reset when it reached the kernel's accept queue in the instant before the listener closed.
    await idleClosed;
    const refused = await send(`${url}/healthz`).then(
      (response) => `served with ${response.status}`,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(refused);

    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('req-in-flight');
    expect(response.headers.connection).toBe('close');
    expect(await child.exited).toBe(0);
    expect(child.lines.find((line) => line.msg === 'shutdown complete')).toMatchObject({
      exitCode: 0,
      forced: false,
    });
  });

  it('refuses to start with an invalid variable, naming it, and exits 1', async () => {
    child = runScript(SERVER, { PORT: '0', RETRY_MAX: 'many', UPSTREAM_URL: 'ftp://x' });
    expect(await child.exited).toBe(1);
    const fatal = child.lines.find((line) => line.level === 'fatal');
    expect(fatal?.msg).toMatch(/RETRY_MAX: expected an integer from 0 to 10/);
    expect(fatal?.msg).toMatch(/UPSTREAM_URL: expected an http\(s\) URL/);
    expect(child.lines.some((line) => line.msg === 'listening')).toBe(false);
  });
});
