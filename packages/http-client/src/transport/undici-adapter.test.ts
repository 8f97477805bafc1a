import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  createServer,
  Agent as HttpAgent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import axios, { type AxiosInstance, CanceledError, isAxiosError } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/test-server.js';
import { createHttpClient } from '../create-http-client.js';
import { isAbortError, isNetworkError } from '../index.js';
import { createUndiciAdapter, type UndiciAdapter } from './undici-adapter.js';

interface EchoServer {
  readonly origin: string;
  /** Server-side sockets, in the order accepted. */
  readonly sockets: Socket[];
  /** Resolves with the next request that arrives (its response is left to the handler). */
  nextRequest(): Promise<IncomingMessage>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real server on port 0 answering with `handler` (default: echoes method, url, headers and body as JSON). */
async function startEchoServer(handler?: Handler): Promise<EchoServer> {
  const sockets: Socket[] = [];
  const waiting: Array<(req: IncomingMessage) => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      for (const resolve of waiting.splice(0)) resolve(req);
      const body = Buffer.concat(chunks);
      if (handler !== undefined) return handler(req, res, body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: body.toString('utf8'),
        }),
      );
    });
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    sockets,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const transports = ['http', 'undici'] as const;
type Transport = (typeof transports)[number];

describe('undici adapter: same results and errors as axios’ Node adapter', () => {
  let undici: UndiciAdapter;
  let instances: Record<Transport, AxiosInstance>;
  const servers: Array<EchoServer | TestServer> = [];

  beforeEach(() => {
    undici = createUndiciAdapter();
    instances = {
      http: axios.create({ adapter: 'http' }),
      undici: axios.create({ adapter: undici.adapter }),
    };
  });
  afterEach(async () => {
    vi.useRealTimers();
    undici.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function echo(handler?: Handler): Promise<EchoServer> {
    const server = await startEchoServer(handler);
    servers.push(server);
    return server;
  }

  /** Runs `call` on both transports and returns the results (or errors), node-http first. */
  async function both<T>(call: (instance: AxiosInstance) => Promise<T>): Promise<Array<T | unknown>> {
    const results: Array<T | unknown> = [];
    for (const transport of transports)
      results.push(await call(instances[transport]).catch((e: unknown) => e));
    return results;
  }

  it('builds the URL with axios’ own baseURL and params handling', async () => {
    const server = await echo();
    const [viaHttp, viaUndici] = await both((instance) =>
      instance.get(`/a/b?x=1`, {
        baseURL: `${server.origin}/base`,
        params: { y: [1, 2], z: 'a b', n: null },
      }),
    );
    const url = (viaUndici as { data: { url: string } }).data.url;
    expect(url).toBe('/base/a/b?x=1&y%5B%5D=1&y%5B%5D=2&z=a+b');
    expect(url).toBe((viaHttp as { data: { url: string } }).data.url);
  });

  it.each([
    ['a JSON object', { a: 1, b: ['x'] }, 'application/json', '{"a":1,"b":["x"]}'],
    ['a string', 'plain text', 'application/x-www-form-urlencoded', 'plain text'],
    ['a Buffer', Buffer.from('bytes'), 'application/x-www-form-urlencoded', 'bytes'],
  ])('sends %s as axios does', async (_name, data, contentType, sent) => {
    const server = await echo();
    const results = await both((instance) => instance.post(`${server.origin}/p`, data));
    for (const result of results) {
      const { body, headers, method } = (
        result as { data: { body: string; headers: Record<string, string> } }
      ).data as { body: string; method: string; headers: Record<string, string> };
      expect(method).toBe('POST');
      expect(body).toBe(sent);
      expect(headers['content-type']).toBe(contentType);
      expect(headers['content-length']).toBe(String(Buffer.byteLength(sent)));
      expect(headers['user-agent']).toMatch(/^axios\//);
    }
  });

  it('runs interceptors and parses JSON, text, arraybuffer and stream bodies as axios does', async () => {
    const server = await echo((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"ok":true}');
    });
    const instance = instances.undici;
    instance.interceptors.request.use((config) => {
      config.headers.set('x-added', 'yes');
      return config;
    });
    instance.interceptors.response.use((response) => ({ ...response, data: { wrapped: response.data } }));
    const json = await instance.get(`${server.origin}/j`);
    expect(json.data).toEqual({ wrapped: { ok: true } });
    expect(json.status).toBe(200);
    expect(json.statusText).toBe('OK');
    expect(json.headers['set-cookie']).toEqual(['a=1', 'b=2']);

    const plain = axios.create({ adapter: undici.adapter, baseURL: server.origin });
    expect((await plain.get('/t', { responseType: 'text' })).data).toBe('{"ok":true}');
    const bytes = (await plain.get('/b', { responseType: 'arraybuffer' })).data as Buffer;
    expect(Buffer.isBuffer(bytes) && bytes.toString('utf8')).toBe('{"ok":true}');
    const stream = (await plain.get('/s', { responseType: 'stream' })).data as Readable;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('{"ok":true}');
  });

  it('follows redirects as axios does, and not with maxRedirects: 0', async () => {
    const server = await echo((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url }));
    });
    const followed = await both((instance) => instance.get(`${server.origin}/old`));
    for (const result of followed) expect((result as { data: unknown }).data).toEqual({ url: '/new' });
    const [viaHttp, viaUndici] = await both((instance) =>
      instance.get(`${server.origin}/old`, { maxRedirects: 0, validateStatus: null }),
    );
    expect((viaUndici as { status: number }).status).toBe(302);
    expect((viaHttp as { status: number }).status).toBe(302);
  });

  it('decompresses a gzip body', async () => {
    const server = await echo((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync('{"zipped":true}'));
    });
    const [viaHttp, viaUndici] = await both((instance) => instance.get(`${server.origin}/z`));
    expect((viaUndici as { data: unknown }).data).toEqual({ zipped: true });
    expect((viaHttp as { data: unknown }).data).toEqual({ zipped: true });
  });

  it('fails, not hangs, when the socket closes half way through a gzip body', async () => {
    // Random bytes do not compress: the gzip body stays far longer than the 100 bytes sent.
    const whole = gzipSync(JSON.stringify({ filler: randomBytes(20_000).toString('hex') }));
    expect(whole.length).toBeGreaterThan(10_000);
    const server = await echo((req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(whole.length),
      });
      res.write(whole.subarray(0, 100), () => req.socket.destroy());
    });
    const error = await instances.undici.get(`${server.origin}/cut`).catch((e: unknown) => e);
    expect(isAxiosError(error) && error.code).toBe('ECONNRESET');
  });

  it('rejects a failing status with error.response, with the same code as axios', async () => {
    const server = await startTestServer([{ status: 503, body: '{"busy":1}' }, { status: 404 }]);
    servers.push(server);
    for (const status of [503, 404]) {
      server.script([
        { status, body: '{"busy":1}' },
        { status, body: '{"busy":1}' },
      ]);
      const [viaHttp, viaUndici] = await both((instance) => instance.get(`${server.origin}/s`));
      expect(isAxiosError(viaUndici) && viaUndici.response?.status).toBe(status);
      expect(isAxiosError(viaUndici) && viaUndici.response?.data).toEqual({ busy: 1 });
      expect(isAxiosError(viaUndici) && viaUndici.code).toBe(isAxiosError(viaHttp) && viaHttp.code);
      expect(isAxiosError(viaUndici) && viaUndici.message).toBe(isAxiosError(viaHttp) && viaHttp.message);
    }
  });

  it('gives ECONNREFUSED and ECONNRESET as axios does', async () => {
    const refused = await startTestServer();
    const origin = refused.origin;
    await refused.close();
    const [httpRefused, undiciRefused] = await both((instance) => instance.get(`${origin}/x`));
    expect(isAxiosError(undiciRefused) && undiciRefused.code).toBe('ECONNREFUSED');
    expect(isAxiosError(httpRefused) && httpRefused.code).toBe('ECONNREFUSED');

    const resetting = await startTestServer(['reset', 'reset']);
    servers.push(resetting);
    const [httpReset, undiciReset] = await both((instance) => instance.get(`${resetting.origin}/x`));
    expect(isAxiosError(undiciReset) && undiciReset.code).toBe('ECONNRESET');
    expect(isAxiosError(httpReset) && httpReset.code).toBe('ECONNRESET');
    expect(isAxiosError(undiciReset) && undiciReset.response).toBeUndefined();
  });

  it('stops reading past maxContentLength with axios’ message', async () => {
    const server = await echo((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(5_000));
    });
    const [viaHttp, viaUndici] = await both((instance) =>
      instance.get(`${server.origin}/big`, { maxContentLength: 1_000 }),
    );
    expect(isAxiosError(viaUndici) && viaUndici.code).toBe('ERR_BAD_RESPONSE');
    expect(isAxiosError(viaUndici) && viaUndici.message).toBe('maxContentLength size of 1000 exceeded');
    expect(isAxiosError(viaUndici) && viaUndici.message).toBe(isAxiosError(viaHttp) && viaHttp.message);
  });

  it('times out with ECONNABORTED on the request’s own timeout', async () => {
    const server = await startTestServer(['hang']);
    servers.push(server);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const arrived = new Promise<void>((resolve) => server.onRequest(() => resolve()));
    const pending = instances.undici.get(`${server.origin}/slow`, { timeout: 500 }).catch((e: unknown) => e);
    await arrived;
    await vi.advanceTimersByTimeAsync(500);
    const error = await pending;
    expect(isAxiosError(error) && error.code).toBe('ECONNABORTED');
    expect(isAxiosError(error) && error.message).toBe('timeout of 500ms exceeded');
  });

  it.each(transports)('abort in flight rejects with ERR_CANCELED and destroys the socket (%s)', async (t) => {
    const server = await echo(() => undefined); // never answers
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const pending = instances[t].get(`${server.origin}/hang`, { signal: controller.signal }).catch((e) => e);
    await arrived;
    const socket = server.sockets[0] as Socket;
    const closed = once(socket, 'close');
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(CanceledError);
    expect(isAxiosError(error) && error.code).toBe('ERR_CANCELED');
    // The server sees the connection go away: the socket was released, not left hanging in the pool.
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('reuses keep-alive connections, and close() closes them', async () => {
    const server = await echo();
    // A socket goes back to the pool a moment after its body ends: the second call may open a second one.
    for (let call = 0; call < 5; call += 1) await instances.undici.get(`${server.origin}/${call}`);
    expect(server.sockets.length).toBeLessThanOrEqual(2);
    const closed = server.sockets.map((socket) => once(socket, 'close'));
    undici.close();
    undici.close();
    await Promise.all(closed);
    expect(server.sockets.every((socket) => socket.destroyed)).toBe(true);
  });
});

describe('createHttpClient transport option', () => {
  let server: EchoServer;
  beforeEach(async () => {
    server = await startEchoServer(() => undefined);
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(['node-http', 'undici'] as const)(
    'a call aborted in flight releases its socket (%s)',
    async (t) => {
      const client = createHttpClient({
        baseURL: server.origin,
        transport: t,
        breaker: false,
        retry: { retries: 0 },
      });
      try {
        const controller = new AbortController();
        const arrived = server.nextRequest();
        const pending = client.get('/hang', { signal: controller.signal }).catch((e: unknown) => e);
        await arrived;
        const closed = once(server.sockets[0] as Socket, 'close');
        controller.abort();
        expect(isAbortError(await pending)).toBe(true);
        await closed;
      } finally {
        client.close();
      }
    },
  );

  it('maps a refused connection to the same NetworkError code on both transports', async () => {
    const origin = server.origin;
    await server.close();
    for (const transport of ['node-http', 'undici'] as const) {
      const client = createHttpClient({ baseURL: origin, transport, breaker: false, retry: { retries: 0 } });
      const error = await client.get('/x').catch((e: unknown) => e);
      client.close();
      expect(isNetworkError(error) && error.systemCode).toBe('ECONNREFUSED');
    }
  });

  it('rejects an unknown transport and undici together with an http agent', () => {
    expect(() => createHttpClient({ transport: 'fetch' as never })).toThrow(
      /^option transport must be 'undici' or 'node-http', got .fetch.$/,
    );
    expect(() => createHttpClient({ transport: 'undici', httpAgent: new HttpAgent() })).toThrow(
      /does not use httpAgent/,
    );
  });
});
