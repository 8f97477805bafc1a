import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Path of promtool: `PROMTOOL_BIN`, else the first `promtool` on PATH, else undefined. */
export function findPromtool(): string | undefined {
  const explicit = process.env.PROMTOOL_BIN;
  if (explicit !== undefined && explicit !== '') return explicit;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'promtool');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Runs promtool with `args` in `cwd`; returns its exit status and output. */
export function promtool(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const bin = findPromtool();
  if (bin === undefined) {
    throw new Error(
      'promtool not found: install it (Debian: apt-get install prometheus) or set PROMTOOL_BIN. The rule tests cannot run without it.',
    );
  }
  const result = spawnSync(bin, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
