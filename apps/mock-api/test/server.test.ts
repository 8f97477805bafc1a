import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from './helpers/build-app.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

let server: ServerProcess | undefined;

afterEach(() => {
  server?.kill();
  server = undefined;
});

function get(
  port: number,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function put(port: number, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'PUT',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/**
 * Connects until the port refuses (at most `attempts` times). The server closes idle connections and its
 * listening socket in one step, but the kernel lets a connection in until the listening socket is really gone,
 * so the first attempt right after an idle connection closed may still be accepted (and is dropped at once).
 */
async function connectUntilRefused(port: number, attempts = 200): Promise<string> {
  let outcome = 'never tried';
  for (let i = 0; i < attempts && outcome !== 'ECONNREFUSED'; i++) outcome = await tryConnect(port);
  return outcome;
}

function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

/** A JSON POST whose body stops half way until `release()`: a request kept in flight for as long as needed. */
function holdPost(
  port: number,
  path: string,
  body: unknown,
): {
  response: Promise<{ status: number; headers: Record<string, unknown>; body: string }>;
  release(): void;
} {
  const text = JSON.stringify(body);
  const half = Math.floor(text.length / 2);
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
  });
  const response = new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      req.on('response', (res) => {
        let received = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: received }));
      });
      req.on('error', reject);
    },
  );
  req.write(text.slice(0, half));
  return { response, release: () => req.end(text.slice(half)) };
}

/**
 * A raw connection that has completed one request (so the server has accepted it) and then sits idle,
 * keep-alive. `closed` resolves when the server closes it.
 */
function openIdleConnection(port: number): Promise<{ closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolveClosed) => socket.once('close', () => resolveClosed()));
    let received = '';
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.endsWith('{"status":"ok"}')) {
        socket.removeListener('error', reject);
        socket.on('error', () => {});
        resolve({ closed });
      }
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  });
}

describe('server process', () => {
  it('listens on an ephemeral port with PORT=0 and logs the actual port', async () => {
    server = startServerProcess({ PORT: '0', LOG_LEVEL: 'info' });
    const listening = await server.line((line) => line.msg === 'listening');
    expect(listening.port).toEqual(expect.any(Number));
    expect(listening.port).not.toBe(0);
    expect(listening.url).toBe(`http://127.0.0.1:${String(listening.port)}`);
    const health = await get(Number(listening.port), '/healthz');
    expect(health.status).toBe(200);
  });

  it('stops with exit code 1 and names the variable when the configuration is bad', async () => {
    server = startServerProcess({ PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    const fatal = server.lines.find((line) => line.level === 'fatal');
    expect(fatal?.variable).toBe('PORT');
    expect(String(fatal?.msg)).toContain('an integer from 0 to 65535');
  });

  it('on SIGTERM finishes in-flight requests, refuses new connections and exits 0', async () => {
    server = startServerProcess({
      PORT: '0',
      LOG_LEVEL: 'info',
      FAULTS_ENABLED: 'true',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    const port = Number((await server.line((line) => line.msg === 'listening')).port);
    // A 1 ms latency fault on POST /api/orders only makes the server log when the request reaches the app.
    expect(await put(port, '/__admin/faults', { latencyMs: 1, routes: ['POST /api/orders'] })).toBe(200);

    // The in-flight request: its headers and half of its body are sent, the rest is held back by the test.
    // The server cannot answer it before the body is complete, however long anything takes.
    const held = holdPost(port, '/api/orders', { itemId: '1', quantity: 2 });
    await server.line((line) => line.msg === 'fault injected');
    let settled = false;
    const answer = held.response.finally(() => {
      settled = true;
    });
    // An idle keep-alive connection: the server closes it right after it stops listening.
    const idle = await openIdleConnection(port);

    server.child.kill('SIGTERM');
    expect(await server.line((line) => line.msg === 'shutting down')).toMatchObject({ inFlight: 1 });
    await idle.closed;
    expect(await connectUntilRefused(port)).toBe('ECONNREFUSED');
    expect(settled).toBe(false);

    held.release();
    const answered = await answer;
    expect(answered.status).toBe(201);
    expect(answered.headers.connection).toBe('close');
    expect(JSON.parse(answered.body)).toMatchObject({ itemId: '1', quantity: 2, status: 'confirmed' });
    expect(await server.exited).toBe(0);
    expect(server.lines.find((line) => line.msg === 'shutdown complete')).toMatchObject({
      exitCode: 0,
      forced: false,
    });
  });
});
