import { spawnSync } from 'node:child_process';

export type PromtoolResult =
  | { status: 'passed' }
  | { status: 'failed'; output: string }
  | { status: 'missing' };

/** Pipes `text` into `promtool check metrics` (`PROMTOOL_BIN` or `promtool` on PATH). */
export function promtoolCheckMetrics(text: string): PromtoolResult {
  const bin = process.env.PROMTOOL_BIN ?? 'promtool';
  const run = spawnSync(bin, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  if (run.error !== undefined && (run.error as NodeJS.ErrnoException).code === 'ENOENT')
    return { status: 'missing' };
  if (run.error !== undefined) return { status: 'failed', output: String(run.error) };
  if (run.status === 0) return { status: 'passed' };
  return { status: 'failed', output: `${run.stdout}${run.stderr}` };
}

/**
 * True when promtool is missing and the check may be skipped; throws when it is missing on CI,
 * where a skipped check would hide a regression.
 */
export function skipWithoutPromtool(): boolean {
  if (process.env.CI === 'true') {
    throw new Error(
      'promtool is required on CI: install the Debian package "prometheus" or set PROMTOOL_BIN',
    );
  }
  process.stderr.write(
    '\n*** SKIPPED: promtool not found, so `promtool check metrics` was NOT run. Install the Debian package ' +
      '"prometheus" or set PROMTOOL_BIN=/path/to/promtool. ***\n\n',
  );
  return true;
}
