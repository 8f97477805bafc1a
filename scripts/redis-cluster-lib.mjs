// A local Redis Cluster (masters with replicas) of real redis-server processes: used by `pnpm redis:cluster`,
// the mock-api cluster tests and the `multi-instance-cluster` load scenario, so all three start the same thing.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const REDIS_CLI_BIN = process.env.REDIS_CLI_BIN ?? 'redis-cli';

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Runs `redis-cli -p <port> <args…>` and returns its output (trimmed). */
export async function redisCli(port, ...args) {
  const { stdout } = await run(REDIS_CLI_BIN, ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

/**
 * Calls `probe` until it returns true, pausing `pauseMs` between calls, for at most `boundMs` (a generous bound:
 * minutes on a busy machine); a probe that throws counts as false. Rejects naming `what` after the bound.
 */
export async function waitFor(what, probe, { boundMs = 180_000, pauseMs = 50 } = {}) {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** `CLUSTER NODES` of the node at `port`: one entry per node with its port, role, master id and link state. */
export async function clusterNodes(port) {
  const text = await redisCli(port, 'CLUSTER', 'NODES');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, masterId, , , , linkState] = line.split(' ');
      const nodePort = Number(/:(\d+)@/.exec(address ?? '')?.[1]);
      const flagList = (flags ?? '').split(',');
      return {
        id,
        port: nodePort,
        role: flagList.includes('master') ? 'master' : 'replica',
        failed: flagList.includes('fail') || flagList.includes('fail?'),
        masterId: masterId === '-' ? undefined : masterId,
        connected: linkState === 'connected',
      };
    });
}

/** `cluster_state` of the node at `port` (`ok` or `fail`). */
export async function clusterState(port) {
  const info = await redisCli(port, 'CLUSTER', 'INFO');
  return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
}

/** `role` of the node at `port` as it reports it itself (`master` or `slave`). */
export async function ownRole(port) {
  const info = await redisCli(port, 'INFO', 'replication');
  return /role:(\w+)/.exec(info)?.[1] ?? 'unknown';
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `masters * (1 + replicasPerMaster)` redis-server processes with `--cluster-enabled yes` under `dir`
 * (one sub-directory per node, created here), joins them with `redis-cli --cluster create --cluster-replicas`
 * and waits until every node reports `cluster_state:ok` and every replica is linked to its master.
 *
 * `ports`: the ports to use (default: free ports). `detached`: the servers outlive this process (the script);
 * otherwise they are children that die with it. Returns the cluster; on failure stops what it started first.
 */
export async function startRedisCluster(options) {
  const { dir, masters = 3, replicasPerMaster = 1, detached = false } = options;
  const count = masters * (1 + replicasPerMaster);
  const ports = options.ports ?? (await Promise.all(Array.from({ length: count }, () => freePort())));
  if (ports.length !== count) throw new Error(`expected ${count} ports, got ${ports.length}`);
  const nodes = [];
  const cluster = {
    dir,
    nodes,
    ports,
    seedUrls: () => ports.map((port) => `redis://127.0.0.1:${port}`),
    /** Sends SIGKILL to the node at `port` and waits until it has exited. */
    async kill(port) {
      const node = nodes.find((entry) => entry.port === port);
      if (node === undefined) throw new Error(`no node on port ${port}`);
      await killNode(node);
    },
    /** Stops every node (SIGKILL: nothing to save) and waits until each has exited; removes `dir`. */
    async stop() {
      await Promise.all(nodes.map((node) => killNode(node)));
      rmSync(dir, { recursive: true, force: true });
    },
    /** The current masters and replicas, as the node at a live port sees them. */
    async topology(viaPort = ports[0]) {
      return clusterNodes(viaPort);
    },
  };
  try {
    mkdirSync(dir, { recursive: true });
    for (const port of ports) {
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir, { recursive: true });
      const child = spawn(
        REDIS_SERVER_BIN,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          // A lost master is declared failed after 2 s of silence, and its replica promoted.
          '--cluster-node-timeout',
          '2000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          nodeDir,
        ],
        { cwd: nodeDir, stdio: 'ignore', detached },
      );
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.once('error', () => {});
      if (detached) child.unref();
      nodes.push({ port, pid: child.pid, exited });
    }
    for (const port of ports)
      await waitFor(
        `redis-server on ${port} answering`,
        async () => (await redisCli(port, 'PING')) === 'PONG',
      );
    await run(REDIS_CLI_BIN, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      String(replicasPerMaster),
      '--cluster-yes',
    ]);
    await waitUntilHealthy(ports, masters);
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Waits until every node in `livePorts` reports `cluster_state:ok` and sees `masters` masters, none failed. */
export async function waitUntilHealthy(livePorts, masters) {
  for (const port of livePorts) {
    await waitFor(`cluster healthy as seen from ${port}`, async () => {
      if ((await clusterState(port)) !== 'ok') return false;
      const seen = (await clusterNodes(port)).filter((node) => !node.failed);
      return seen.filter((node) => node.role === 'master').length === masters;
    });
  }
}

async function killNode(node) {
  if (node.exited !== undefined) {
    if (alive(node.pid)) process.kill(node.pid, 'SIGKILL');
    await node.exited;
    return;
  }
  // A node of an earlier `start` (the script): only its pid is known.
  if (alive(node.pid)) process.kill(node.pid, 'SIGKILL');
  await waitFor(`redis-server ${node.pid} exiting`, async () => !alive(node.pid));
}

/** Stops the nodes `{ port, pid }` of a cluster started detached (by pid, each checked to still be that server). */
export async function stopDetachedNodes(nodes) {
  for (const node of nodes) {
    if (!alive(node.pid)) continue;
    let command = '';
    try {
      const { readFileSync } = await import('node:fs');
      command = readFileSync(`/proc/${node.pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      command = '';
    }
    // A pid reused by another program since `start` is left alone.
    if (!command.includes('redis-server') || !command.includes(`:${node.port}`)) continue;
    await killNode({ pid: node.pid });
  }
}
