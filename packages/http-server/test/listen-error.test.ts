import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isListenError, ListenError, listen } from '../src/index.js';

const quiet = { info() {}, warn() {}, error() {} };
const open: Server[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('listen() when it cannot bind', () => {
  it('rejects with a ListenError that names the address and says the port is in use', async () => {
    const taken = createServer();
    open.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;

    const error = await listen(() => {}, { port, host: '127.0.0.1', logger: quiet }).catch((e: unknown) => e);
    expect(isListenError(error)).toBe(true);
    expect(error).toBeInstanceOf(ListenError);
    const listenError = error as ListenError;
    expect(listenError.code).toBe('EADDRINUSE');
    expect(listenError.port).toBe(port);
    expect(listenError.host).toBe('127.0.0.1');
    expect(listenError.message).toBe(
      `cannot listen on 127.0.0.1:${port}: the port is already in use (another process listens on it)`,
    );
    expect((listenError.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });

  it('is not a ListenError for anything else', () => {
    expect(isListenError(new Error('x'))).toBe(false);
  });
});
