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

const promtool = findPromtool();

/**
 * True when promtool checks can run. Without promtool the checks fail under CI=true and are skipped otherwise,
 * with a message saying how to get it.
 */
export function promtoolAvailable(): boolean {
  if (promtool !== undefined) return true;
  const message =
    'promtool not found: the Prometheus exposition checks are SKIPPED. Install it (Debian: apt-get install prometheus) or set PROMTOOL_BIN.';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** ${message} ***\n\n`);
  return false;
}

/** Runs `promtool check metrics` on an exposition text; returns its exit status and output. */
export function checkMetrics(text: string): { status: number | null; output: string } {
  if (promtool === undefined) throw new Error('promtool is not available');
  const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
