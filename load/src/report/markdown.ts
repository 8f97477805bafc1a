import type { ScenarioResult } from '../scenario-result.js';
import { ALERTS_TIMELINE_HEADER, alertsTimelineNote, alertsTimelineRows } from './alerts.js';
import { ms, percent, seconds, statusSummary } from './format.js';

/** Facts about the run shown at the top of the summary. */
export interface RunInfo {
  readonly command: string;
  readonly mode: 'full' | 'smoke';
  readonly startedAt: number;
  readonly endedAt: number;
  readonly node: string;
  readonly machine: string;
  /** 1-minute load average at the start and at the end of the run. */
  readonly loadAverage: readonly [number, number];
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

export function verdict(result: ScenarioResult): string {
  return result.passed ? 'PASS' : 'FAIL';
}

function scenarioSection(result: ScenarioResult): string[] {
  const lines = [`## ${result.name}: ${verdict(result)}`, '', result.title, ''];
  lines.push(
    `Mode \`${result.mode}\`, ${seconds(result.endedAt - result.startedAt)} including start-up and checks.` +
      (result.overallConcurrency
        ? ` Virtual users in a session: mean ${result.overallConcurrency.mean.toFixed(1)}, max ${result.overallConcurrency.max}.`
        : ''),
    '',
  );
  if (result.error !== undefined) lines.push(`**The scenario could not complete:** ${result.error}`, '');
  if (result.notes.length > 0) {
    lines.push('Configuration:', '', ...result.notes.map((note) => `- ${note}`), '');
  }
  if (result.files.chart !== undefined) lines.push(`![${result.name} chart](${result.files.chart})`, '');
  for (const chart of result.files.charts ?? []) lines.push(`![${chart.title}](${chart.path})`, '');

  lines.push('### Checks', '');
  lines.push(
    ...table(
      ['kind', 'check', 'expected', 'actual', 'result'],
      result.checks.map((check) => [
        check.kind,
        check.name,
        check.expected,
        check.actual,
        check.passed ? 'pass' : 'FAIL',
      ]),
    ),
    '',
  );

  if (result.phases.length > 0) {
    lines.push('### Per phase', '');
    lines.push(
      ...table(
        [
          'phase',
          'planned',
          'requests',
          'success',
          'statuses',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'VUs mean/max',
        ],
        result.phases.map(({ phase, stats, concurrency }) => [
          phase.name,
          `${phase.durationSec} s`,
          String(stats.requests),
          percent(stats.successRate),
          statusSummary(stats),
          ms(stats.latency.p50),
          ms(stats.latency.p95),
          ms(stats.latency.p99),
          ms(stats.latency.max),
          `${concurrency.mean.toFixed(1)} / ${concurrency.max}`,
        ]),
      ),
      '',
    );
  }
  if (result.endpoints.length > 0) {
    lines.push('### Per endpoint (request name)', '');
    lines.push(
      ...table(
        ['endpoint', 'requests', 'success', 'statuses', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        result.endpoints.map(({ name, stats }) => [
          name,
          String(stats.requests),
          percent(stats.successRate),
          statusSummary(stats),
          ms(stats.latency.p50),
          ms(stats.latency.p95),
          ms(stats.latency.p99),
          ms(stats.latency.max),
        ]),
      ),
      '',
    );
  }
  if (result.actions.length > 0) {
    lines.push('### Actions during the run', '');
    lines.push(
      ...result.actions.map(
        (action) => `- t=${action.at.toFixed(1)} s (${action.phase}): ${action.description}`,
      ),
    );
    lines.push('');
  }
  if (result.alerts !== undefined) {
    lines.push('### Alerts (Prometheus)', '', alertsTimelineNote(result.alerts), '');
    if (result.alerts.intervals.length > 0) {
      lines.push(...table(ALERTS_TIMELINE_HEADER, alertsTimelineRows(result.alerts)), '');
    }
  }
  lines.push(
    `Files: [Artillery JSON](${result.files.artilleryJson})${result.files.logs.map((log) => `, [${log}](${log})`).join('')}`,
    '',
  );
  return lines;
}

/** The report's `summary.md`: an overview table, then one section per scenario. */
export function renderMarkdown(info: RunInfo, results: readonly ScenarioResult[]): string {
  const passed = results.every((result) => result.passed);
  const lines = [
    `# Load test report: ${passed ? 'PASS' : 'FAIL'}`,
    '',
    `- Command: \`${info.command}\``,
    `- Mode: \`${info.mode}\``,
    `- Started: ${new Date(info.startedAt).toISOString()}, took ${seconds(info.endedAt - info.startedAt)}`,
    `- Node ${info.node}; ${info.machine}; 1-minute load average ${info.loadAverage[0].toFixed(1)} at the start, ${info.loadAverage[1].toFixed(1)} at the end`,
    '- Latency is time to first byte as Artillery measures it; per-phase and per-endpoint percentiles are exact',
    "  (from every request), Artillery's `ensure` checks use its own aggregate (sketch-based) percentiles.",
    '',
    ...table(
      ['scenario', 'result', 'requests', 'success', 'p50 ms', 'p95 ms', 'p99 ms', 'checks'],
      results.map((result) => [
        `[${result.name}](#${result.name})`,
        verdict(result),
        String(result.overall?.requests ?? 0),
        percent(result.overall?.successRate),
        ms(result.overall?.latency.p50),
        ms(result.overall?.latency.p95),
        ms(result.overall?.latency.p99),
        `${result.checks.filter((check) => check.passed).length}/${result.checks.length}`,
      ]),
    ),
    '',
  ];
  for (const result of results) lines.push(...scenarioSection(result));
  return `${lines.join('\n')}\n`;
}
