import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createHttpMetrics } from '../src/create-http-metrics.js';
import { installGracefulShutdown } from '../src/graceful-shutdown.js';
import { listen } from '../src/listen.js';

const noop = (): void => {};
const logger = { info: noop, warn: noop, error: noop };
const app = noop;

describe('listen rejects bad input with a TypeError saying why', () => {
  it.each([
    [
      'a string app',
      'app',
      { port: 0, logger },
      'app must be a request listener (an Express app), got "app"',
    ],
    ['null options', app, null, 'listen options must be an object with port and logger'],
    ['string options', app, 'port', 'listen options must be an object with port and logger'],
    ['port -1', app, { port: -1, logger }, 'options.port must be an integer between 0 and 65535, got -1'],
    [
      'port 65536',
      app,
      { port: 65_536, logger },
      'options.port must be an integer between 0 and 65535, got 65536',
    ],
    [
      'port "80"',
      app,
      { port: '80', logger },
      'options.port must be an integer between 0 and 65535, got "80"',
    ],
    ['port 1.5', app, { port: 1.5, logger }, 'options.port must be an integer between 0 and 65535, got 1.5'],
    ['an empty host', app, { port: 0, host: '', logger }, 'options.host must be a non-empty string, got ""'],
    ['a numeric host', app, { port: 0, host: 1, logger }, 'options.host must be a non-empty string, got 1'],
    [
      'a logger without warn',
      app,
      { port: 0, logger: { info: noop, error: noop } },
      'options.logger must have info, warn and error methods, got an object',
    ],
    [
      'a logger without info',
      app,
      { port: 0, logger: { warn: noop, error: noop } },
      'options.logger must have info, warn and error methods, got an object',
    ],
    [
      'a logger without error',
      app,
      { port: 0, logger: { info: noop, warn: noop } },
      'options.logger must have info, warn and error methods, got an object',
    ],
    [
      'a null logger',
      app,
      { port: 0, logger: null },
      'options.logger must have info, warn and error methods, got null',
    ],
    [
      'an array logger',
      app,
      { port: 0, logger: [] },
      'options.logger must have info, warn and error methods, got an array',
    ],
    [
      'a function logger',
      app,
      { port: 0, logger: noop },
      'options.logger must have info, warn and error methods, got a function',
    ],
    [
      'headersTimeoutMs above requestTimeoutMs',
      app,
      { port: 0, logger, requestTimeoutMs: 1000, headersTimeoutMs: 1001 },
      'options.headersTimeoutMs must be an integer between 1 and 1000, got 1001',
    ],
    [
      'requestTimeoutMs 0',
      app,
      { port: 0, logger, requestTimeoutMs: 0 },
      'options.requestTimeoutMs must be an integer between 1 and 2147483647, got 0',
    ],
    [
      'keepAliveTimeoutMs 2147483648',
      app,
      { port: 0, logger, keepAliveTimeoutMs: 2_147_483_648 },
      'options.keepAliveTimeoutMs must be an integer between 1 and 2147483647, got 2147483648',
    ],
    [
      'socketTimeoutMs -1',
      app,
      { port: 0, logger, socketTimeoutMs: -1 },
      'options.socketTimeoutMs must be an integer between 0 and 2147483647, got -1',
    ],
  ])('%s', async (_case, appArg, options, message) => {
    await expect(listen(appArg as never, options as never)).rejects.toThrow(new TypeError(message));
  });
});

describe('installGracefulShutdown rejects bad input with a TypeError saying why', () => {
  const server = createServer();
  it.each([
    ['no server', null, { logger }, 'server must be a node:http Server, got null'],
    ['a string server', 'srv', { logger }, 'server must be a node:http Server, got "srv"'],
    ['a server without close', {}, { logger }, 'server must be a node:http Server, got an object'],
    ['null options', server, null, 'graceful shutdown options must be an object with a logger'],
    ['string options', server, 'x', 'graceful shutdown options must be an object with a logger'],
    [
      'timeoutMs 0',
      server,
      { logger, timeoutMs: 0 },
      'options.timeoutMs must be an integer between 1 and 2147483647, got 0',
    ],
    [
      'a signal name without SIG',
      server,
      { logger, signals: ['TERM'] },
      `options.signals must be a list of signal names such as 'SIGTERM', got an array`,
    ],
    [
      'a non-string signal',
      server,
      { logger, signals: [15] },
      `options.signals must be a list of signal names such as 'SIGTERM', got an array`,
    ],
    [
      'onShutdown not a function',
      server,
      { logger, onShutdown: 1 },
      'options.onShutdown must be a function, got 1',
    ],
    [
      'onShutdownStart not a function',
      server,
      { logger, onShutdownStart: 'x' },
      'options.onShutdownStart must be a function, got "x"',
    ],
    ['exit not a function', server, { logger, exit: true }, 'options.exit must be a function, got true'],
  ])('%s', (_case, serverArg, options, message) => {
    const before = process.listenerCount('SIGTERM');
    expect(() => installGracefulShutdown(serverArg as never, options as never)).toThrow(
      new TypeError(message),
    );
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

describe('createHttpMetrics rejects bad buckets', () => {
  it.each([
    [[]],
    [[0.1, '0.2']],
    [[0.1, Number.POSITIVE_INFINITY]],
    [[0, 1]],
    [[-1, 1]],
    [[0.1, 0.1]],
    [[0.2, 0.1]],
  ])('%j', (buckets) => {
    expect(() => createHttpMetrics({ buckets: buckets as never, collectDefaultMetrics: false })).toThrow(
      new TypeError('options.buckets must be a non-empty, strictly increasing list of positive numbers'),
    );
  });

  it('accepts a single bucket and strictly increasing ones', () => {
    expect(() => createHttpMetrics({ buckets: [0.5], collectDefaultMetrics: false })).not.toThrow();
    expect(() => createHttpMetrics({ buckets: [0.1, 0.2, 5], collectDefaultMetrics: false })).not.toThrow();
  });
});
