import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFaultProxy, type FaultProxy } from '../src/index.js';

// Real sockets on 127.0.0.1; every wait is for an event, never for a time.
let echo: Server | undefined;
let proxy: FaultProxy | undefined;
const clients: Socket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await proxy?.close();
  await new Promise<void>((resolve) => (echo === undefined ? resolve() : echo.close(() => resolve())));
  proxy = undefined;
  echo = undefined;
});

/** An upstream that answers every chunk with `reply:<chunk>`. */
async function startEcho(): Promise<number> {
  echo = createServer((socket) => {
    socket.on('data', (chunk) => socket.write(`reply:${chunk.toString()}`));
    socket.on('error', () => {});
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const address = echo.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function open(port: number): Promise<Socket> {
  const client = connect(port, '127.0.0.1');
  clients.push(client);
  await once(client, 'connect');
  return client;
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

function nextData(client: Socket): Promise<string> {
  return once(client, 'data').then(([chunk]) => String(chunk));
}

describe('createFaultProxy', () => {
  it('forwards both ways while no fault is set', async () => {
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: await startEcho() } });
    const client = await open(proxy.port);
    client.write('ping');
    expect(await nextData(client)).toBe('reply:ping');
    expect(proxy.stats()).toMatchObject({ connections: 1, chunksUp: 1, chunksDown: 1, resets: 0 });
  });

  it('holds everything during a stall and delivers it, in order, when the stall ends', async () => {
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: await startEcho() } });
    const client = await open(proxy.port);
    proxy.setFaults({ stall: true });
    let received = '';
    client.on('data', (chunk) => {
      received += String(chunk);
    });
    client.write('a');
    // The chunk reaches the proxy and is held there: nothing went up.
    await until(() => proxy?.stats().held === 1);
    expect(proxy.stats().chunksUp).toBe(0);
    expect(received).toBe('');
    proxy.setFaults({});
    await nextData(client);
    expect(received).toBe('reply:a');
  });

  it('cuts a reply in half and resets the connection', async () => {
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: await startEcho() } });
    const client = await open(proxy.port);
    proxy.resetNextReply();
    let received = '';
    client.on('data', (chunk) => {
      received += String(chunk);
    });
    client.on('error', () => {});
    // events.once() would reject on the 'error' (ECONNRESET) that may come before 'close'.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.write('0123456789');
    await closed;
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan('reply:0123456789'.length);
    expect(proxy.stats().resets).toBe(1);
  });

  it('delays with seeded jitter without reordering chunks', async () => {
    let n = 0;
    proxy = await createFaultProxy({
      target: { host: '127.0.0.1', port: await startEcho() },
      faults: { jitterMs: 20 },
      // Decreasing delays: a later chunk would overtake an earlier one if order were not kept.
      random: () => 1 - (n++ % 10) / 10,
    });
    const client = await open(proxy.port);
    let received = '';
    client.on('data', (chunk) => {
      received += String(chunk);
    });
    for (let i = 0; i < 5; i += 1) client.write(String(i));
    await until(() => received.replaceAll('reply:', '').length >= 5);
    expect(received.replaceAll('reply:', '')).toBe('01234');
  });

  it('keeps the byte order of a long stream of separate chunks under random jitter', async () => {
    // A seeded source (mulberry32): equal due times for chunks queued at different moments used to let a later
    // chunk overtake an earlier one (timers of equal expiry but different durations fire in any order).
    let state = 7;
    const random = (): number => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    proxy = await createFaultProxy({
      target: { host: '127.0.0.1', port: await startEcho() },
      faults: { jitterMs: 15 },
      random,
    });
    const client = await open(proxy.port);
    let received = '';
    client.on('data', (chunk) => {
      received += String(chunk);
    });
    const sent: string[] = [];
    for (let i = 0; i < 300; i += 1) {
      const line = `<${i}>`;
      sent.push(line);
      client.write(line);
      // A separate turn per write, so each reaches the proxy as its own chunk at its own moment.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const expected = sent.join('');
    await until(() => received.replaceAll('reply:', '').length >= expected.length);
    expect(received.replaceAll('reply:', '')).toBe(expected);
  });

  it('swallows everything in blackhole mode', async () => {
    proxy = await createFaultProxy({
      target: { host: '127.0.0.1', port: await startEcho() },
      faults: { blackhole: true },
    });
    const client = await open(proxy.port);
    client.write('lost');
    client.end();
    await once(client, 'close');
    expect(proxy.stats()).toMatchObject({ chunksUp: 0, chunksDown: 0, swallowed: 1 });
  });

  it('resets the connections a blackhole swallowed bytes of when it ends, and lets new ones through', async () => {
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: await startEcho() } });
    const hit = await open(proxy.port);
    const quiet = await open(proxy.port);
    // The reset reaches the client as ECONNRESET.
    hit.on('error', () => {});
    proxy.setFaults({ blackhole: true });
    hit.write('lost');
    await until(() => proxy?.stats().swallowed === 1);
    // Not events.once: it rejects when 'error' (the ECONNRESET) comes before 'close'.
    const closed = new Promise((resolve) => hit.once('close', resolve));
    proxy.setFaults({});
    await closed;
    expect(quiet.destroyed).toBe(false);
    quiet.write('kept');
    expect(await nextData(quiet)).toBe('reply:kept');
    const fresh = await open(proxy.port);
    fresh.write('new');
    expect(await nextData(fresh)).toBe('reply:new');
  });

  it('rejects bad faults with a TypeError naming the field', async () => {
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: await startEcho() } });
    expect(() => proxy?.setFaults({ jitterMs: -1 })).toThrow(/jitterMs/);
    expect(() => proxy?.setFaults({ resetReplyEvery: 1.5 })).toThrow(/resetReplyEvery/);
  });
});
