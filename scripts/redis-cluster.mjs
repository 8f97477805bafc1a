// `pnpm redis:cluster start|stop|status`: a local Redis Cluster of 3 masters and 3 replicas for trying mock-api
// on a cluster. Ports 7000-7005 (REDIS_CLUSTER_BASE_PORT moves them); state (node directories, pids) in
// <tmpdir>/resilience-redis-cluster-<base port>, outside the repository. `stop` kills exactly the processes
// `start` recorded there.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterState, startRedisCluster, stopDetachedNodes } from './redis-cluster-lib.mjs';

const base = Number(process.env.REDIS_CLUSTER_BASE_PORT ?? '7000');
if (!Number.isInteger(base) || base < 1024 || base > 65_000) {
  process.stderr.write(`REDIS_CLUSTER_BASE_PORT must be an integer from 1024 to 65000, got "${base}"\n`);
  process.exit(2);
}
const ports = Array.from({ length: 6 }, (_, index) => base + index);
const dir = join(tmpdir(), `resilience-redis-cluster-${base}`);
const stateFile = join(dir, 'state.json');
const seeds = ports.map((port) => `redis://127.0.0.1:${port}`).join(',');

function readState() {
  return existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : undefined;
}

async function start() {
  if (readState() !== undefined) {
    process.stderr.write(`a cluster is already recorded in ${dir}: run pnpm redis:cluster stop first\n`);
    process.exit(1);
  }
  const cluster = await startRedisCluster({ dir, ports, detached: true });
  const nodes = cluster.nodes.map(({ port, pid }) => ({ port, pid }));
  writeFileSync(stateFile, `${JSON.stringify({ ports, nodes }, null, 2)}\n`);
  process.stdout.write(
    `Redis Cluster up: 3 masters + 3 replicas on 127.0.0.1:${ports[0]}-${ports[5]} (state in ${dir})\n` +
      `  REDIS_CLUSTER_NODES=${seeds}\n`,
  );
}

async function stop() {
  const state = readState();
  if (state === undefined) {
    process.stdout.write(`no cluster recorded in ${dir}\n`);
    return;
  }
  await stopDetachedNodes(state.nodes);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`stopped the Redis Cluster on ${state.ports.join(', ')}\n`);
}

async function status() {
  const state = readState();
  if (state === undefined) {
    process.stdout.write(`no cluster recorded in ${dir}\n`);
    return;
  }
  for (const { port, pid } of state.nodes) {
    let answer;
    try {
      answer = `cluster_state:${await clusterState(port)}`;
    } catch {
      answer = 'not answering';
    }
    process.stdout.write(`127.0.0.1:${port} (pid ${pid}): ${answer}\n`);
  }
}

const command = process.argv[2];
const commands = { start, stop, status };
if (!(command in commands)) {
  process.stderr.write('Usage: pnpm redis:cluster start|stop|status\n');
  process.exit(2);
}
await commands[command]();
