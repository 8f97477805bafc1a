import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { LOAD_PACKAGE_ROOT } from './app-entry-points.js';
import { parseCliOptions, USAGE } from './cli-options.js';
import { isCliUsageError } from './errors/cli-usage-error.js';
import type { ProcessRegistry } from './process-group.js';
import { createProgress } from './progress.js';
import { findPrometheus, PROMETHEUS_MISSING_MESSAGE } from './prometheus/prometheus-server.js';
import type { RunInfo } from './report/markdown.js';
import { renderTerminalSummary } from './report/terminal-table.js';
import { writeScenarioChart, writeSummary } from './report/write-report.js';
import type { ScenarioDefinition } from './scenario-definition.js';
import type { ScenarioResult } from './scenario-result.js';
import { runScenario } from './scenario-runner.js';
import { selectScenarios } from './scenario-selection.js';

export interface MainDependencies {
  readonly scenarios: readonly ScenarioDefinition[];
  readonly registry: ProcessRegistry;
  readonly signal: AbortSignal;
  /** The summary table goes here. */
  readonly stdout: NodeJS.WritableStream;
  /** Progress and errors go here. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** `REDIS_URL` for the multi-instance scenario. */
  readonly redisUrl: string;
  /** Where `reports/<timestamp>` goes when `--report-dir` is not given. @default the package's `reports/` */
  readonly reportsRoot?: string;
  /** Progress line interval. @default 5000 */
  readonly progressIntervalMs?: number;
  /** Finds the Prometheus server for `--prometheus`. @default the first `prometheus` on PATH */
  readonly findPrometheus?: () => string | undefined;
}

/** Exit codes of the runner. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export function timestampDirName(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
}

function machineDescription(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${availableParallelism()} CPUs (${model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform}`;
}

/**
 * Runs the selected scenarios one after another, writing the report after each, and prints the summary.
 * Returns the process exit code.
 */
export async function main(argv: readonly string[], deps: MainDependencies): Promise<number> {
  const known = deps.scenarios.map((scenario) => scenario.name);
  let options: ReturnType<typeof parseCliOptions>;
  try {
    options = parseCliOptions(argv, known);
  } catch (error) {
    if (isCliUsageError(error)) {
      deps.stderr.write(`${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (options.help) {
    deps.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (options.list) {
    for (const scenario of deps.scenarios) deps.stdout.write(`${scenario.name}\t${scenario.title}\n`);
    return EXIT.ok;
  }

  let prometheusBin: string | undefined;
  if (options.prometheus) {
    prometheusBin = (deps.findPrometheus ?? findPrometheus)();
    if (prometheusBin === undefined) {
      deps.stderr.write(`${PROMETHEUS_MISSING_MESSAGE}\n`);
      return EXIT.failed;
    }
  }

  const { selected, leftOut } = selectScenarios(deps.scenarios, options);
  for (const { name, reason } of leftOut) deps.stderr.write(`not in the smoke set: ${name} (${reason})\n`);
  const startedAt = Date.now();
  const reportDir = resolve(
    options.reportDir ??
      join(deps.reportsRoot ?? join(LOAD_PACKAGE_ROOT, 'reports'), timestampDirName(new Date(startedAt))),
  );
  await mkdir(reportDir, { recursive: true });
  const runId = `${timestampDirName(new Date(startedAt)).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
  const progress = createProgress({
    stream: deps.stderr,
    ...(deps.progressIntervalMs === undefined ? {} : { intervalMs: deps.progressIntervalMs }),
  });
  const loadAtStart = loadavg()[0] ?? 0;
  const info = (): RunInfo => ({
    command: ['pnpm load', ...(argv.length > 0 ? ['--', ...argv.filter((arg) => arg !== '--')] : [])].join(
      ' ',
    ),
    mode: options.mode,
    startedAt,
    endedAt: Date.now(),
    node: process.version,
    machine: machineDescription(),
    // Latency depends on what else the machine runs: the 1-minute load average, at the start and now.
    loadAverage: [loadAtStart, loadavg()[0] ?? 0],
  });

  deps.stderr.write(
    `Load run ${runId} (${options.mode}${prometheusBin === undefined ? '' : ', with Prometheus'}): ${selected.map((scenario) => scenario.name).join(', ')}\n`,
  );
  deps.stderr.write(`Report: ${reportDir} (1-minute load average now ${loadAtStart.toFixed(1)})\n`);
  const results: ScenarioResult[] = [];
  try {
    for (const [position, scenario] of selected.entries()) {
      if (deps.signal.aborted) break;
      progress.scenarioStarted(scenario.name, position + 1, selected.length);
      let result = await runScenario(scenario, {
        mode: options.mode,
        reportDir,
        registry: deps.registry,
        progress,
        signal: deps.signal,
        runId,
        redisUrl: deps.redisUrl,
        ...(prometheusBin === undefined ? {} : { prometheus: { bin: prometheusBin } }),
      });
      try {
        result = await writeScenarioChart(result, reportDir);
      } catch (error) {
        progress.note(`chart not written: ${(error as Error).message}`);
      }
      progress.scenarioFinished();
      progress.note(
        `${scenario.name}: ${result.passed ? 'PASS' : 'FAIL'} (${result.checks.filter((check) => check.passed).length}/${result.checks.length} checks)`,
      );
      results.push(result);
      await writeSummary(reportDir, info(), results);
    }
  } finally {
    progress.close();
    await deps.registry.stopAll();
  }

  deps.stdout.write(renderTerminalSummary(results, reportDir));
  if (deps.signal.aborted) return EXIT.interrupted;
  return results.length === selected.length && results.every((result) => result.passed)
    ? EXIT.ok
    : EXIT.failed;
}
