import { CliUsageError } from './errors/cli-usage-error.js';
import type { RunMode } from './scenario-definition.js';

export interface CliOptions {
  readonly mode: RunMode;
  /** Scenario names to run; empty = all. */
  readonly names: readonly string[];
  readonly list: boolean;
  readonly help: boolean;
  /** Report directory; `undefined` = `reports/<timestamp>` in the package. */
  readonly reportDir: string | undefined;
}

export const USAGE = `Usage: pnpm load [-- [--smoke] [--report-dir <dir>] [--list] [scenario ...]]

Runs the Artillery scenarios in load/scenarios against freshly started apps, checks every threshold and
writes a report to load/reports/<timestamp>/. Exits 1 when any scenario misses a threshold.

  --smoke             short run of each scenario (the whole set in about 3 minutes)
  --report-dir <dir>  where to write the report
  --list              print the scenario names and exit
  scenario ...        run only these scenarios (default: all)
`;

/** Parses the runner's arguments. A bare `--` (as pnpm and turbo may pass it along) is ignored. */
export function parseCliOptions(argv: readonly string[], known: readonly string[]): CliOptions {
  let mode: RunMode = 'full';
  let list = false;
  let help = false;
  let reportDir: string | undefined;
  const names: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') continue;
    if (arg === '--smoke') mode = 'smoke';
    else if (arg === '--list') list = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--report-dir') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--'))
        throw new CliUsageError('--report-dir needs a directory');
      reportDir = value;
      index += 1;
    } else if (arg.startsWith('--report-dir=')) reportDir = arg.slice('--report-dir='.length);
    else if (arg.startsWith('-')) throw new CliUsageError(`unknown option ${arg}`);
    else if (!known.includes(arg)) {
      throw new CliUsageError(`unknown scenario "${arg}"; known: ${known.join(', ')}`);
    } else if (!names.includes(arg)) names.push(arg);
  }
  return { mode, names, list, help, reportDir };
}
