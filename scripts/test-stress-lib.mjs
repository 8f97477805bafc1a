// Argument parsing and the summary of `pnpm test:stress`, apart from the part that starts processes.

export const STRESS_USAGE = `Usage: pnpm test:stress [-- --runs N] [--hogs N]

  --runs N   how many times to run the whole suite (default 3)
  --hogs N   busy-looping processes kept running meanwhile (default: one per CPU)
`;

export class StressUsageError extends Error {
  name = 'StressUsageError';
}

function positiveInteger(name, raw) {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < 1) {
    throw new StressUsageError(`test:stress: ${name} must be a positive integer, got ${raw ?? 'nothing'}`);
  }
  return value;
}

/** Parses `--runs N`, `--runs=N`, `--hogs N`, `--help`; a bare `--` (as pnpm may pass it) is ignored. */
export function parseStressArgs(argv, cpus) {
  const options = { runs: 3, hogs: Math.max(1, cpus), help: false };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') {
      options.help = true;
      continue;
    }
    const match = /^--(runs|hogs)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new StressUsageError(`test:stress: unknown argument ${arg}`);
    const [, name, inline] = match;
    const raw = inline ?? argv[++index];
    options[name] = positiveInteger(`--${name}`, raw);
  }
  return options;
}

/** The final line over every run: `N passed, N failed`, with the slowest run and the highest load seen. */
export function summarizeRuns(runs) {
  const passed = runs.filter((run) => run.passed).length;
  const failed = runs.length - passed;
  const durations = runs.map((run) => run.durationMs / 1000);
  const loads = runs.map((run) => run.load);
  const detail =
    runs.length === 0
      ? ''
      : ` (durations ${Math.round(Math.min(...durations))}-${Math.round(Math.max(...durations))} s, 1-min load up to ${Math.max(...loads).toFixed(1)})`;
  return { passed, failed, line: `${passed} passed, ${failed} failed${detail}` };
}
