import { spawn } from 'node:child_process';
import { delimiter, sep } from 'node:path';

/** What a finished child process left behind. */
export interface ProcessResult {
  /** Exit code, or `null` when a signal ended it (then `signal` says which). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when `timeoutMs` ran out and the process was killed (then `signal` is `SIGKILL`). */
  readonly timedOut: boolean;
}

export interface RunProcessOptions {
  readonly cwd: string;
  /** The whole environment of the child. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Kills the process (SIGKILL) if it has not exited after this long, so that one that hangs fails with its
   * output instead of outliving the test. @default none: the test's timeout bounds it
   */
  readonly timeoutMs?: number;
}

/**
 * Runs `command` without a shell and resolves when it has exited and its output is closed, whatever the exit
 * code (callers assert on it). Rejects only if the command cannot be started (`ENOENT`).
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** One line for a failure message: how the process ended, and its stderr and stdout. */
export function describeResult(label: string, result: ProcessResult): string {
  const ending =
    result.signal === null
      ? `exit code ${result.code}`
      : `signal ${result.signal}${result.timedOut ? ' (killed: it ran past its time limit)' : ''}`;
  return `${label} ended with ${ending}\n--- stderr\n${result.stderr}\n--- stdout\n${result.stdout}`;
}

/** Set by vitest (and Vite) in its workers; a user's shell has none of them. */
const TEST_RUNNER_VARIABLES = new Set([
  'TEST',
  'NODE_ENV',
  'PROD',
  'DEV',
  'BASE_URL',
  'MODE',
  'SSR',
  'FORCE_TTY',
]);

/**
 * The environment a user's own shell would give npm and node, made from ours without what the test run added:
 * - variables a package manager injects into the scripts it runs (`npm_config_user_agent`, `npm_package_*`,
 *   `npm_lifecycle_*`, `PNPM_*`, `pnpm_config_*`): npm would read them as its own configuration;
 * - `NODE_PATH`, which pnpm's bin shims point into the workspace's store: with it, `require()` in the
 *   project would find the workspace's copies of our packages instead of the installed ones;
 * - vitest's own variables (`VITEST*`, `NODE_ENV=test`, ...);
 * - `PATH` entries inside `workspaceRoot` (the workspace's `node_modules/.bin`).
 * The machine's npm configuration (npmrc files, `NPM_CONFIG_*` in upper case, proxies) is kept.
 */
export function userEnvironment(
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const kept = Object.entries(env).filter(
    ([name]) =>
      !/^(npm_|pnpm_|PNPM_|VITEST)/.test(name) && name !== 'NODE_PATH' && !TEST_RUNNER_VARIABLES.has(name),
  );
  const result: NodeJS.ProcessEnv = Object.fromEntries(kept);
  if (env.PATH !== undefined) {
    const inside = (entry: string): boolean =>
      entry === workspaceRoot || entry.startsWith(`${workspaceRoot}${sep}`);
    result.PATH = env.PATH.split(delimiter)
      .filter((entry) => !inside(entry))
      .join(delimiter);
  }
  return result;
}
