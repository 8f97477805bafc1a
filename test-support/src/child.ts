import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A parsed JSON log line (or `{ text }` for a line that is not JSON). */
export type LogLine = Record<string, unknown>;

/** A node script running as a child process, its stdout and stderr read line by line. */
export interface Child {
  readonly process: ChildProcess;
  readonly lines: LogLine[];
  /** Resolves with the first line, already seen or to come, that satisfies `predicate`; rejects if the child exits first. */
  waitForLine(predicate: (line: LogLine) => boolean): Promise<LogLine>;
  /** The exit code, or the signal name. */
  readonly exited: Promise<number | string>;
  /** SIGKILL if still running (cleanup after a failed test). */
  kill(): void;
}

export function startChild(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const onLine = (text: string): void => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { text };
    }
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.predicate(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    process: child,
    lines,
    waitForLine(predicate) {
      const seen = lines.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ predicate, resolve });
        void exited.then((code) =>
          reject(
            new Error(
              `process exited (${code}) first; output:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`,
            ),
          ),
        );
      });
    },
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
