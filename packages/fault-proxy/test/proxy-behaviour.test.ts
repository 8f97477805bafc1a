import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFaultProxy, type FaultProxy, type FaultProxyOptions } from '../src/index.js';

// Real sockets on 127.0.0.1. The proxy's delays run on fake setTimeout/Date (I/O and setImmediate stay real), so
// "not yet delivered at 29 ms, delivered at 30 ms" is a statement about the proxy's logic, not about the CPU.
let upstream: Server | undefined;
const upstreamSockets: Socket[] = [];
let proxy: FaultProxy | undefined;
const clients: Socket[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const client of clients.splice(0)) client.destroy();
  await proxy?.close();
  for (const socket of upstreamSockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) =>
    upstream === undefined ? resolve() : upstream.close(() => resolve()),
  );
  proxy = undefined;
  upstream = undefined;
});

/** An upstream that answers every chunk with `reply:<chunk>`, or as `answer` says. */
async function startUpstream(
  answer = (chunk: string, socket: Socket) => void socket.write(`reply:${chunk}`),
) {
  upstream = createServer((socket) => {
    upstreamSockets.push(socket);
    socket.on('data', (chunk) => answer(String(chunk), socket));
    socket.on('error', () => {});
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const address = upstream.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function start(
  options: Omit<FaultProxyOptions, 'target'> = {},
  answer?: Parameters<typeof startUpstream>[0],
) {
  proxy = await createFaultProxy({
    target: { host: '127.0.0.1', port: await startUpstream(answer) },
    ...options,
  });
  return proxy;
}

async function open(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  clients.push(socket);
  let data = '';
  socket.on('data', (chunk) => {
    data += String(chunk);
  });
  socket.on('error', () => {});
  // Not events.once: it rejects when 'error' (an ECONNRESET) comes before 'close'.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  return { socket, received: () => data, closed };
}

/** Resolves once `condition` holds, checking after every I/O turn. */
function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (condition()) resolve();
      else setImmediate(check);
    };
    check();
  });
}

function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
}

describe('createFaultProxy: options', () => {
  it('listens on 127.0.0.1 by default and reports its port', async () => {
    const p = await start();
    expect(p.host).toBe('127.0.0.1');
    expect(p.port).toBeGreaterThan(0);
    const client = await open(p.port);
    expect(client.socket.remoteAddress).toBe('127.0.0.1');
    expect(client.socket.remotePort).toBe(p.port);
  });

  it.each([
    [undefined],
    [{ host: 1, port: 6379 }],
    [{ port: 6379 }],
    [{ host: '127.0.0.1' }],
    [{ host: '127.0.0.1', port: 63.5 }],
  ])('refuses target %j with a TypeError', async (target) => {
    await expect(createFaultProxy({ target } as unknown as FaultProxyOptions)).rejects.toThrow(
      new TypeError('createFaultProxy: target must be { host: string, port: integer }'),
    );
  });

  it('refuses bad faults given at the start', async () => {
    await expect(
      createFaultProxy({ target: { host: '127.0.0.1', port: 1 }, faults: { latencyMs: -5 } }),
    ).rejects.toThrow(/latencyMs must be a number >= 0, got -5/);
  });

  it('rejects when the port is taken', async () => {
    const first = await start();
    await expect(
      createFaultProxy({ target: { host: '127.0.0.1', port: 1 }, port: first.port }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('createFaultProxy: latency and jitter (fake clock)', () => {
  it('delays each chunk by latencyMs plus random() x jitterMs, no earlier', async () => {
    useFakeClock();
    const p = await start({ faults: { latencyMs: 10, jitterMs: 40 }, random: () => 0.5 });
    const client = await open(p.port);
    client.socket.write('a');
    await until(() => p.stats().delayed === 1);
    await vi.advanceTimersByTimeAsync(29);
    expect(p.stats()).toMatchObject({ chunksUp: 0, delayed: 1 });
    await vi.advanceTimersByTimeAsync(1);
    expect(p.stats()).toMatchObject({ chunksUp: 1, delayed: 0 });
    // The reply is delayed the same 30 ms on its way back.
    await until(() => p.stats().delayed === 1);
    await vi.advanceTimersByTimeAsync(29);
    expect(p.stats().chunksDown).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(p.stats().chunksDown).toBe(1);
    await until(() => client.received() === 'reply:a');
  });

  it('adds no jitter when jitterMs is 0, whatever random() returns', async () => {
    useFakeClock();
    const random = vi.fn(() => 0.99);
    const p = await start({ faults: { latencyMs: 20 }, random });
    const client = await open(p.port);
    client.socket.write('a');
    await until(() => p.stats().delayed === 1);
    await vi.advanceTimersByTimeAsync(20);
    expect(p.stats().chunksUp).toBe(1);
    expect(random).not.toHaveBeenCalled();
  });

  it('delivers a chunk queued behind a later-due one no earlier than the one ahead of it', async () => {
    useFakeClock();
    const delays = [0.75, 0.25];
    const p = await start({ faults: { jitterMs: 40 }, random: () => delays.shift() ?? 0 });
    const client = await open(p.port);
    client.socket.write('1');
    await until(() => p.stats().delayed === 1);
    client.socket.write('2');
    await until(() => p.stats().delayed === 2);
    // '1' is due at 30 ms, '2' would be due at 10 ms but waits behind it.
    await vi.advanceTimersByTimeAsync(29);
    expect(p.stats()).toMatchObject({ chunksUp: 0, delayed: 2 });
    await vi.advanceTimersByTimeAsync(1);
    expect(p.stats()).toMatchObject({ chunksUp: 2, delayed: 0 });
  });

  it('keeps a chunk that needs no delay behind the delayed ones', async () => {
    useFakeClock();
    const p = await start({ faults: { latencyMs: 50 } });
    const client = await open(p.port);
    client.socket.write('1');
    await until(() => p.stats().delayed === 1);
    p.setFaults({});
    client.socket.write('2');
    await until(() => p.stats().delayed === 2);
    expect(p.stats().chunksUp).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(p.stats()).toMatchObject({ chunksUp: 2, delayed: 0 });
    // With the queue empty again, the next chunk goes straight through.
    client.socket.write('3');
    await until(() => p.stats().chunksUp === 3);
    expect(p.stats().delayed).toBe(0);
  });

  it('delivers chunks due at different times one by one', async () => {
    useFakeClock();
    // An upstream that never answers: only the chunks going up are delayed.
    const p = await start({ faults: { latencyMs: 10 } }, () => {});
    const client = await open(p.port);
    client.socket.write('1');
    await until(() => p.stats().delayed === 1);
    await vi.advanceTimersByTimeAsync(5);
    client.socket.write('2');
    await until(() => p.stats().delayed === 2);
    await vi.advanceTimersByTimeAsync(5);
    expect(p.stats()).toMatchObject({ chunksUp: 1, delayed: 1 });
    await vi.advanceTimersByTimeAsync(4);
    expect(p.stats()).toMatchObject({ chunksUp: 1, delayed: 1 });
    await vi.advanceTimersByTimeAsync(1);
    expect(p.stats()).toMatchObject({ chunksUp: 2, delayed: 0 });
  });

  it('drops what is delayed when the connection closes', async () => {
    useFakeClock();
    const p = await start({ faults: { latencyMs: 100 } });
    const client = await open(p.port);
    client.socket.write('late');
    await until(() => p.stats().delayed === 1);
    client.socket.destroy();
    await until(() => p.stats().delayed === 0);
    await vi.advanceTimersByTimeAsync(100);
    expect(p.stats().chunksUp).toBe(0);
  });
});

describe('createFaultProxy: stall', () => {
  it('counts held chunks both ways and keeps holding while the stall is set again', async () => {
    const p = await start();
    const client = await open(p.port);
    p.setFaults({ stall: true });
    client.socket.write('a');
    await until(() => p.stats().held === 1);
    p.setFaults({ stall: true, latencyMs: 0 });
    client.socket.write('b');
    await until(() => p.stats().held === 2);
    expect(p.stats().chunksUp).toBe(0);
    p.setFaults({});
    await until(() => client.received().replaceAll('reply:', '') === 'ab');
    expect(p.stats()).toMatchObject({ held: 0, chunksUp: 2 });
  });

  it('holds replies too, and delivers them to the right client', async () => {
    // The upstream answers only when the test says so (a holder object: TypeScript would narrow a bare `let`).
    const pending: { release?: (() => void) | undefined } = {};
    const p = await start({}, (chunk, socket) => {
      pending.release = () => socket.write(`reply:${chunk}`);
    });
    const releaseReply = (): void => pending.release?.();
    const first = await open(p.port);
    const second = await open(p.port);
    second.socket.write('other');
    await until(() => pending.release !== undefined);
    releaseReply();
    await until(() => second.received() === 'reply:other');
    pending.release = undefined;
    first.socket.write('x');
    await until(() => pending.release !== undefined);
    p.setFaults({ stall: true });
    releaseReply();
    await until(() => p.stats().held === 1);
    p.setFaults({});
    await until(() => first.received() === 'reply:x');
    expect(second.received()).toBe('reply:other');
  });
});

describe('createFaultProxy: resets', () => {
  it('cuts every n-th reply (counted over all connections) in half and resets its connection', async () => {
    const p = await start(
      { faults: { resetReplyEvery: 3 } },
      (chunk, socket) => void socket.write(`0123456789-${chunk}`),
    );
    const a = await open(p.port);
    a.socket.write('1');
    await until(() => a.received() === '0123456789-1');
    const b = await open(p.port);
    b.socket.write('2');
    await until(() => b.received() === '0123456789-2');
    b.socket.write('3');
    await b.closed;
    // The third reply: its first half only (6 of 12 bytes), then the reset.
    expect(b.received()).toBe('0123456789-2012345');
    expect(p.stats()).toMatchObject({ resets: 1, chunksDown: 2 });
    a.socket.write('4');
    await until(() => a.received() === '0123456789-10123456789-4');
    expect(a.socket.destroyed).toBe(false);
  });

  it('cuts a one-byte reply after its one byte', async () => {
    const p = await start({}, (_chunk, socket) => void socket.write('!'));
    const client = await open(p.port);
    p.resetNextReply();
    client.socket.write('go');
    await client.closed;
    expect(client.received()).toBe('!');
  });

  it('resetNextReply cuts only the next reply', async () => {
    const p = await start();
    p.resetNextReply();
    const cut = await open(p.port);
    cut.socket.write('a');
    await cut.closed;
    const whole = await open(p.port);
    whole.socket.write('b');
    await until(() => whole.received() === 'reply:b');
    expect(p.stats().resets).toBe(1);
  });

  it('resetAll resets every open connection and leaves the proxy working', async () => {
    const p = await start();
    const a = await open(p.port);
    const b = await open(p.port);
    await until(() => upstreamSockets.length === 2);
    p.resetAll();
    await Promise.all([a.closed, b.closed]);
    const fresh = await open(p.port);
    fresh.socket.write('c');
    await until(() => fresh.received() === 'reply:c');
    expect(p.stats().connections).toBe(3);
  });

  it('keeps connections while a blackhole is set again, and resets them when it ends', async () => {
    const p = await start();
    const client = await open(p.port);
    p.setFaults({ blackhole: true });
    client.socket.write('lost');
    await until(() => p.stats().swallowed === 1);
    p.setFaults({ blackhole: true, latencyMs: 1 });
    expect(client.socket.destroyed).toBe(false);
    p.setFaults({});
    await client.closed;
  });
});

describe('createFaultProxy: connection lifetime', () => {
  it('closes the client side when the upstream closes', async () => {
    const p = await start({}, (chunk, socket) => {
      if (chunk === 'bye') socket.end();
    });
    const client = await open(p.port);
    client.socket.write('bye');
    await client.closed;
    expect(p.stats().chunksUp).toBe(1);
  });

  it('closes the upstream side when the client goes away', async () => {
    const p = await start();
    const client = await open(p.port);
    await until(() => upstreamSockets.length === 1);
    const upstreamClosed = once(upstreamSockets[0] as Socket, 'close');
    client.socket.destroy();
    await upstreamClosed;
    expect(upstreamSockets[0]?.destroyed).toBe(true);
  });

  it('closes the client when the upstream refuses the connection', async () => {
    const refused = await start();
    const port = (upstream?.address() as { port: number } | undefined)?.port ?? 0;
    await refused.close();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
    upstream = undefined;
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port } });
    const client = await open(proxy.port);
    await client.closed;
    expect(proxy.stats()).toMatchObject({ connections: 1, chunksUp: 0 });
  });

  it('close() stops listening, ends every connection and is idempotent', async () => {
    const p = await start();
    const client = await open(p.port);
    const first = p.close();
    expect(p.close()).toBe(first);
    await first;
    await client.closed;
    const refused = connect(p.port, '127.0.0.1');
    const [error] = await once(refused, 'error');
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});
