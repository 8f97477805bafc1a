import type { ScenarioResult } from '../scenario-result.js';
import { ms, percent, seconds } from './format.js';

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const cells of rows) {
    cells.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((cells) =>
    cells
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** The summary printed at the end of a run: one row per scenario, then every failed check. */
export function renderTerminalSummary(results: readonly ScenarioResult[], reportDir: string): string {
  const header = [
    'scenario',
    'result',
    'time',
    'requests',
    'success',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'checks',
  ];
  const rows = results.map((result) => [
    result.name,
    result.passed ? 'PASS' : 'FAIL',
    seconds(result.endedAt - result.startedAt),
    String(result.overall?.requests ?? 0),
    percent(result.overall?.successRate),
    ms(result.overall?.latency.p50),
    ms(result.overall?.latency.p95),
    ms(result.overall?.latency.p99),
    `${result.checks.filter((check) => check.passed).length}/${result.checks.length}`,
  ]);
  const lines = ['', ...pad([header, ...rows])];
  const failures = results.flatMap((result) => [
    ...(result.error === undefined ? [] : [`${result.name}: could not complete: ${result.error}`]),
    ...result.checks
      .filter((check) => !check.passed)
      .map(
        (check) =>
          `${result.name}: [${check.kind}] ${check.name}: expected ${check.expected}, got ${check.actual}`,
      ),
  ]);
  if (failures.length > 0) lines.push('', 'Failed:', ...failures.map((failure) => `  - ${failure}`));
  lines.push('', `Report: ${reportDir}/summary.md`, '');
  return lines.join('\n');
}
