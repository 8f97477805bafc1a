import { type ChildProcess, spawn } from 'node:child_process';

/** A child process started in its own process group, so that stopping it also stops its children. */
export interface GroupProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles with the exit code (or `null` after a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** SIGTERM to the whole group, then SIGKILL after `graceMs`; resolves once the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Keeps every process the runner started, so that all of them can be stopped on any exit path. */
export interface ProcessRegistry {
  spawn(options: SpawnOptions): GroupProcess;
  /** Processes started and not yet exited. */
  running(): readonly GroupProcess[];
  /** Stops every process still running, in reverse start order. */
  stopAll(graceMs?: number): Promise<void>;
  /** Sends SIGKILL to every group still running; synchronous, for the last moment of an exiting runner. */
  killAllNow(): void;
}

const DEFAULT_GRACE_MS = 5_000;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Starts `command` as the leader of a new process group, with stdio piped. */
export function spawnInGroup(options: SpawnOptions): GroupProcess {
  const child = spawn(options.command, [...options.args], {
    env: options.env,
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { pid } = child;
  if (pid === undefined) {
    throw new Error(`could not start ${options.name} (${options.command})`);
  }
  let exited = false;
  const exitedPromise = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    });
  });
  return {
    name: options.name,
    pid,
    child,
    exited: exitedPromise,
    hasExited: () => exited,
    async stop(graceMs = DEFAULT_GRACE_MS) {
      if (exited) {
        // The leader is gone; make sure nothing it started is left behind.
        signalGroup(pid, 'SIGKILL');
        return;
      }
      signalGroup(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
        timer.unref();
      });
      const outcome = await Promise.race([exitedPromise.then(() => 'exited' as const), timedOut]);
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL');
      if (outcome === 'timeout') await exitedPromise;
    },
  };
}

export function createProcessRegistry(): ProcessRegistry {
  const processes: GroupProcess[] = [];
  return {
    spawn(options) {
      const started = spawnInGroup(options);
      processes.push(started);
      return started;
    },
    running: () => processes.filter((entry) => !entry.hasExited()),
    async stopAll(graceMs) {
      const all = [...processes].reverse();
      processes.length = 0;
      for (const entry of all) {
        await entry.stop(graceMs);
      }
    },
    killAllNow() {
      for (const entry of processes) signalGroup(entry.pid, 'SIGKILL');
    },
  };
}
