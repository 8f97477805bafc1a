import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@resilience/test-support/redis-server';

const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
const REDIS_CLI_BIN = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';
const run = promisify(execFile);

/** Whether a cluster can be started here; loud skip otherwise, failure under CI=true. */
export function redisClusterAvailable(): boolean {
  if (existsSync(REDIS_SERVER_BIN) && existsSync(REDIS_CLI_BIN)) return true;
  const message = `redis-server or redis-cli not found (${REDIS_SERVER_BIN}, ${REDIS_CLI_BIN})`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: the cluster test must run)`);
  process.stderr.write(`\n!!! SKIPPING the Redis Cluster test: ${message}\n\n`);
  return false;
}

/** A private three-master Redis Cluster (no replicas) on free ports; never the shared Redis. */
export interface PrivateCluster {
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

async function clusterState(port: number): Promise<string> {
  const { stdout } = await run(REDIS_CLI_BIN, ['-p', String(port), 'CLUSTER', 'INFO']);
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? 'unknown';
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null || child.signalCode !== null
          ? undefined
          : new Promise<void>((resolve) => {
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
      ),
    );
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const dir = mkdtempSync(join(tmpdir(), 'rate-limit-cluster-'));
      dirs.push(dir);
      children.push(
        spawn(
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
            '--save',
            '',
            '--appendonly',
            'no',
          ],
          { cwd: dir, stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) {
      for (let attempt = 0; ; attempt += 1) {
        try {
          await run(REDIS_CLI_BIN, ['-p', String(port), 'PING']);
          break;
        } catch (error) {
          if (attempt > 500) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
    await run(REDIS_CLI_BIN, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (let attempt = 0; (await clusterState(ports[0] as number)) !== 'ok'; attempt += 1) {
      if (attempt > 3000) throw new Error('the cluster never reached cluster_state:ok');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
