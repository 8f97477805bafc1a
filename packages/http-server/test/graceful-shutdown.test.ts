import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installGracefulShutdown } from '../src/graceful-shutdown.js';
import { type ListeningServer, listen } from '../src/listen.js';
import { type Deferred, deferred } from './helpers/deferred.js';
import { memoryLogger } from './helpers/log-lines.js';

/** An app whose `/slow` handler answers only when the test says so. */
function slowApp(): { app: Express; entered: Deferred<void>; release: Deferred<void> } {
  const entered = deferred();
  const release = deferred();
  const app = express();
  app.get('/slow', async (_req, res) => {
    entered.resolve();
    await release.promise;
    res.json({ done: true });
  });
  app.get('/fast', (_req, res) => {
    res.json({ fast: true });
  });
  return { app, entered, release };
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function get(url: string, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, agent === undefined ? {} : { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function tryConnect(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const started: ListeningServer[] = [];

async function start(app: Express): Promise<{
  server: ListeningServer;
  lines: ReturnType<typeof memoryLogger>['lines'];
  logger: ReturnType<typeof memoryLogger>['logger'];
}> {
  const { logger, lines } = memoryLogger();
  const server = await listen(app, { port: 0, logger });
  started.push(server);
  return { server, logger, lines };
}

afterEach(async () => {
  vi.useRealTimers();
  for (const server of started.splice(0)) {
    server.server.closeAllConnections();
    await server.close();
  }
});

describe('installGracefulShutdown', () => {
  it('lets an in-flight request finish, refuses new connections, then exits 0', async () => {
    const { app, entered, release } = slowApp();
    const { server, logger, lines } = await start(app);
    const exit = vi.fn();
    const onShutdown = vi.fn(async () => undefined);
    const shutdown = installGracefulShutdown(server.server, { logger, signals: [], exit, onShutdown });

    const inFlight = get(`${server.url}/slow`);
    await entered.promise;
    expect(shutdown.isShuttingDown()).toBe(false);

    const done = shutdown.shutdown('test');
    expect(shutdown.isShuttingDown()).toBe(true);
    expect(await tryConnect(server.port)).toBe('ECONNREFUSED');
    expect(exit).not.toHaveBeenCalled();
    expect(onShutdown).not.toHaveBeenCalled();

    release.resolve();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ done: true });
    expect(reply.headers.connection).toBe('close');

    await done;
    expect(onShutdown).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(lines.map((line) => line.msg)).toEqual(['listening', 'shutting down', 'shutdown complete']);
    expect(lines[1]).toMatchObject({ reason: 'test', inFlight: 1 });
    expect(lines[2]).toMatchObject({ level: 'info', forced: false, exitCode: 0 });
  });

  it('runs onShutdown only after the server has closed and in-flight requests are done', async () => {
    const { app, entered, release } = slowApp();
    const { server, logger } = await start(app);
    const order: string[] = [];
    const shutdown = installGracefulShutdown(server.server, {
      logger,
      signals: [],
      exit: () => order.push('exit'),
      onShutdown: () => {
        order.push(`onShutdown listening=${server.server.listening}`);
      },
    });
    server.server.on('request', (_req, res: ServerResponse) =>
      res.on('finish', () => order.push('response')),
    );
    const inFlight = get(`${server.url}/slow`);
    await entered.promise;
    const done = shutdown.shutdown('test');
    release.resolve();
    await Promise.all([inFlight, done]);
    expect(order).toEqual(['response', 'onShutdown listening=false', 'exit']);
  });

  it('closes idle keep-alive connections at once', async () => {
    const { app } = slowApp();
    const { server, logger } = await start(app);
    const agent = new Agent({ keepAlive: true });
    try {
      await get(`${server.url}/fast`, agent);
      const exit = vi.fn();
      // With a timeout far beyond the test's own, only the idle-connection close lets this resolve.
      await installGracefulShutdown(server.server, {
        logger,
        signals: [],
        exit,
        timeoutMs: 600_000,
      }).shutdown('idle');
      expect(exit).toHaveBeenCalledWith(0);
    } finally {
      agent.destroy();
    }
  });

  it('destroys the connections still open after timeoutMs and still exits 0', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { app, entered } = slowApp();
    const { server, logger, lines } = await start(app);
    const exit = vi.fn();
    const shutdown = installGracefulShutdown(server.server, { logger, signals: [], exit, timeoutMs: 5000 });

    const inFlight = get(`${server.url}/slow`).then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await entered.promise;
    const done = shutdown.shutdown('test');

    await vi.advanceTimersByTimeAsync(4999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await done;

    expect(await inFlight).toBe('ECONNRESET');
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(lines.find((line) => line.msg === 'forcing connections closed')).toMatchObject({ level: 'warn' });
    expect(lines.at(-1)).toMatchObject({ msg: 'shutdown complete', forced: true });
  });

  it('calls onShutdownStart when shutdown begins, before the drain, so held requests can be released', async () => {
    const { app, entered, release } = slowApp();
    const { server, logger } = await start(app);
    const exit = vi.fn();
    const onShutdownStart = vi.fn((_reason: string) => release.resolve());
    const shutdown = installGracefulShutdown(server.server, { logger, signals: [], exit, onShutdownStart });
    const inFlight = get(`${server.url}/slow`);
    await entered.promise;
    // Nothing but onShutdownStart releases the held request; without it the drain would wait forever.
    await shutdown.shutdown('deploy');
    expect(onShutdownStart).toHaveBeenCalledExactlyOnceWith('deploy');
    expect((await inFlight).status).toBe(200);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('logs a throwing onShutdownStart and still shuts down with exit 0', async () => {
    const { server, logger, lines } = await start(slowApp().app);
    const exit = vi.fn();
    await installGracefulShutdown(server.server, {
      logger,
      signals: [],
      exit,
      onShutdownStart: () => {
        throw new Error('release failed');
      },
    }).shutdown('test');
    expect(exit).toHaveBeenCalledWith(0);
    expect(lines.find((line) => line.msg === 'shutdown start hook failed')).toMatchObject({ level: 'error' });
  });

  it('exits 1 when onShutdown throws, and logs why', async () => {
    const { server, logger, lines } = await start(slowApp().app);
    const exit = vi.fn();
    await installGracefulShutdown(server.server, {
      logger,
      signals: [],
      exit,
      onShutdown: async () => {
        throw new Error('redis quit failed');
      },
    }).shutdown('test');
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
    expect(lines.find((line) => line.msg === 'shutdown hook failed')).toMatchObject({
      level: 'error',
      err: expect.objectContaining({ message: 'redis quit failed' }),
    });
  });

  it('exits 1 when onShutdown outlasts timeoutMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { server, logger } = await start(slowApp().app);
    const exit = vi.fn();
    const done = installGracefulShutdown(server.server, {
      logger,
      signals: [],
      exit,
      timeoutMs: 1000,
      onShutdown: () => new Promise<void>(() => undefined),
    }).shutdown('test');
    await vi.advanceTimersByTimeAsync(1000);
    await done;
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
  });

  it('starts on a configured signal, exits 1 at once on a second one, and removes its handlers', async () => {
    const { app, entered, release } = slowApp();
    const { server, logger, lines } = await start(app);
    const exit = vi.fn();
    const before = process.listenerCount('SIGUSR2');
    const shutdown = installGracefulShutdown(server.server, { logger, signals: ['SIGUSR2'], exit });
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);

    const inFlight = get(`${server.url}/slow`);
    await entered.promise;
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(shutdown.isShuttingDown()).toBe(true);
    expect(lines.at(-1)).toMatchObject({ msg: 'shutting down', reason: 'SIGUSR2' });

    process.emit('SIGUSR2', 'SIGUSR2');
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);

    release.resolve();
    await inFlight;
    await shutdown.shutdown('again');
    expect(exit).toHaveBeenLastCalledWith(0);
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });

  it('installs SIGTERM and SIGINT handlers by default and dispose() removes them', async () => {
    const { server, logger } = await start(slowApp().app);
    const term = process.listenerCount('SIGTERM');
    const int = process.listenerCount('SIGINT');
    const shutdown = installGracefulShutdown(server.server, { logger, exit: vi.fn() });
    expect(process.listenerCount('SIGTERM')).toBe(term + 1);
    expect(process.listenerCount('SIGINT')).toBe(int + 1);
    shutdown.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(term);
    expect(process.listenerCount('SIGINT')).toBe(int);
  });

  it('returns the same promise when shutdown is called twice', async () => {
    const { server, logger } = await start(slowApp().app);
    const exit = vi.fn();
    const shutdown = installGracefulShutdown(server.server, { logger, signals: [], exit });
    const first = shutdown.shutdown('a');
    expect(shutdown.shutdown('b')).toBe(first);
    await first;
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('does not mutate the options object', async () => {
    const { server, logger } = await start(slowApp().app);
    const signals: NodeJS.Signals[] = ['SIGUSR2'];
    const options = { logger, signals, timeoutMs: 100 };
    installGracefulShutdown(server.server, options).dispose();
    expect(options).toEqual({ logger, signals: ['SIGUSR2'], timeoutMs: 100 });
  });

  it.each([
    [{ timeoutMs: 0 }, 'options.timeoutMs'],
    [{ timeoutMs: 1.5 }, 'options.timeoutMs'],
    [{ signals: ['TERM'] }, 'options.signals'],
    [{ onShutdown: 'close redis' }, 'options.onShutdown'],
    [{ onShutdownStart: 1 }, 'options.onShutdownStart'],
    [{ exit: 0 }, 'options.exit'],
    [{ logger: {} }, 'options.logger'],
  ])('rejects %o with a TypeError naming %s', async (override, name) => {
    const { server, logger } = await start(slowApp().app);
    const options = { logger, signals: [], ...override } as never;
    expect(() => installGracefulShutdown(server.server, options)).toThrow(TypeError);
    expect(() => installGracefulShutdown(server.server, options)).toThrow(name);
  });
});
