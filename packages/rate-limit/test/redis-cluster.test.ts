import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisMultiWindowStore, type WindowLimit } from '../src/index.js';
import { type PrivateCluster, redisClusterAvailable, startPrivateCluster } from './helpers/redis-cluster.js';

// Three real redis-server processes and a cluster handshake: minutes on a busy machine, not seconds.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const available = redisClusterAvailable();
const T0 = Date.parse('2026-01-01T10:00:00Z');
const WINDOWS: WindowLimit[] = [
  { name: 'second', windowMs: 1_000, limit: 5, algorithm: 'fixed' },
  { name: 'minute', windowMs: 60_000, limit: 3, algorithm: 'sliding' },
  { name: 'hour', windowMs: 3_600_000, limit: 100, algorithm: 'fixed' },
];

describe.skipIf(!available)('createRedisMultiWindowStore on a Redis Cluster', () => {
  let cluster: PrivateCluster | undefined;
  let client: ReturnType<typeof createCluster> | undefined;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    client = createCluster({
      rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
    });
    client.on('error', () => {});
    await client.connect();
  });

  afterAll(async () => {
    client?.destroy();
    await cluster?.stop();
  });

  it('counts every window of a client in one script on one node: its keys share a slot', async () => {
    const cluster = client as NonNullable<typeof client>;
    // EVALSHA / EVAL sha-or-script numkeys key1 ...: route by the first key.
    const sendCommand = (...args: string[]) => cluster.sendCommand(args[3], false, args);
    const store = createRedisMultiWindowStore({ sendCommand, prefix: 'rl:' });
    const slots = new Set<number>();
    for (let c = 0; c < 20; c += 1) {
      const key = `ip:198.51.100.${c}`;
      const decisions: number[] = [];
      for (let i = 0; i < 4; i += 1) decisions.push((await store.consume(key, WINDOWS, T0 + i)).refusedBy);
      expect(decisions).toEqual([-1, -1, -1, 1]);
      const keySlots = await Promise.all(
        store
          .keysOf(key, WINDOWS)
          .map((name) => cluster.sendCommand(name, true, ['CLUSTER', 'KEYSLOT', name])),
      );
      expect(new Set(keySlots).size).toBe(1);
      slots.add(Number(keySlots[0]));
    }
    // Different clients land on different slots (and so, across 3 masters, on different nodes).
    expect(slots.size).toBeGreaterThan(10);
  });
});
