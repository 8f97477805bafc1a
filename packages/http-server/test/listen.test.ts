import { createServer } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN_OPTIONS, listen } from '../src/listen.js';
import { memoryLogger } from './helpers/log-lines.js';

function helloApp(): express.Express {
  const app = express();
  app.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  return app;
}

describe('listen', () => {
  it('listens on a free port with port 0 and logs exactly one listening line with the real port', async () => {
    const { logger, lines } = memoryLogger();
    const server = await listen(helloApp(), { port: 0, host: '127.0.0.1', logger });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'info', msg: 'listening', port: server.port, url: server.url });
      const res = await fetch(`${server.url}/hello`);
      expect(await res.json()).toEqual({ hello: 'world' });
    } finally {
      await server.close();
    }
    expect(server.server.listening).toBe(false);
  });

  it('sets the documented server timeouts by default', async () => {
    const { logger } = memoryLogger();
    const { server, close } = await listen(helloApp(), { port: 0, logger });
    try {
      expect(server.requestTimeout).toBe(DEFAULT_LISTEN_OPTIONS.requestTimeoutMs);
      expect(server.headersTimeout).toBe(DEFAULT_LISTEN_OPTIONS.headersTimeoutMs);
      expect(server.keepAliveTimeout).toBe(65_000);
      expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
      expect(server.timeout).toBe(DEFAULT_LISTEN_OPTIONS.socketTimeoutMs);
    } finally {
      await close();
    }
  });

  it('applies custom timeouts', async () => {
    const { logger } = memoryLogger();
    const options = {
      port: 0,
      logger,
      requestTimeoutMs: 5000,
      headersTimeoutMs: 4000,
      keepAliveTimeoutMs: 7000,
      socketTimeoutMs: 0,
    };
    const { server, close } = await listen(helloApp(), options);
    try {
      expect(server.requestTimeout).toBe(5000);
      expect(server.headersTimeout).toBe(4000);
      expect(server.keepAliveTimeout).toBe(7000);
      expect(server.timeout).toBe(0);
    } finally {
      await close();
    }
  });

  it('closes idle keep-alive connections on close() instead of waiting for their timeout', async () => {
    const { logger } = memoryLogger();
    const server = await listen(helloApp(), { port: 0, logger });
    const res = await fetch(`${server.url}/hello`, { headers: { connection: 'keep-alive' } });
    await res.text();
    await server.close();
    expect(server.server.listening).toBe(false);
  });

  it('rejects when the port is taken, without logging a listening line', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const { logger, lines } = memoryLogger();
    try {
      await expect(listen(helloApp(), { port, logger })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(lines).toHaveLength(0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('does not mutate the options object', async () => {
    const { logger } = memoryLogger();
    const options = { port: 0, logger };
    const server = await listen(helloApp(), options);
    await server.close();
    expect(options).toEqual({ port: 0, logger });
  });

  it.each([
    [{ port: -1 }, 'options.port'],
    [{ port: 70_000 }, 'options.port'],
    [{ port: '3000' }, 'options.port'],
    [{ host: '' }, 'options.host'],
    [{ logger: undefined }, 'options.logger'],
    [{ logger: { info: () => undefined } }, 'options.logger'],
    [{ requestTimeoutMs: 0 }, 'options.requestTimeoutMs'],
    [{ requestTimeoutMs: 1000, headersTimeoutMs: 2000 }, 'options.headersTimeoutMs'],
    [{ keepAliveTimeoutMs: 1.5 }, 'options.keepAliveTimeoutMs'],
    [{ socketTimeoutMs: -1 }, 'options.socketTimeoutMs'],
  ])('rejects %o with a TypeError naming %s', async (override, name) => {
    const { logger } = memoryLogger();
    const options = { port: 0, logger, ...override } as never;
    await expect(listen(helloApp(), options)).rejects.toThrow(TypeError);
    await expect(listen(helloApp(), options)).rejects.toThrow(name);
  });

  it('rejects an app that is not a request listener', async () => {
    const { logger } = memoryLogger();
    await expect(listen({} as never, { port: 0, logger })).rejects.toThrow(TypeError);
  });
});
