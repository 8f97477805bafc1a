import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ArtilleryConsoleEvent } from './artillery-console.js';
import { ARTILLERY_TIMEOUT_MARGIN_MS, runArtillery } from './artillery-process.js';
import { type CheckInput, type CheckResult, evaluateInvariant, evaluateThreshold } from './checks.js';
import { type PhaseWindow, requestsByPhase, toPhaseWindows } from './phases.js';
import {
  artilleryChecks,
  artilleryTimeoutCheck,
  describeError,
  serviceAliveCheck,
} from './process-checks.js';
import type { ProcessRegistry } from './process-group.js';
import type { Progress } from './progress.js';
import { runMoments } from './prometheus/alert-checks.js';
import { PROMETHEUS_FILES } from './prometheus/prometheus-server.js';
import {
  type ScenarioAlerts,
  type ScenarioPrometheus,
  startScenarioPrometheus,
} from './prometheus/scenario-prometheus.js';
import { renderSvg } from './report/chart.js';
import { readRequestLog } from './request-log.js';
import type { RunMode, ScenarioDefinition, ScenarioSetup } from './scenario-definition.js';
import type { PhaseActionRecord, ScenarioResult } from './scenario-result.js';
import { type RunningService, type ServiceSpec, startService } from './service.js';
import { summarizeRun } from './summarize-run.js';
import { is2xx } from './traffic-stats.js';

export interface RunScenarioOptions {
  readonly mode: RunMode;
  /** The run's report directory; the scenario writes into `<reportDir>/<name>/`. */
  readonly reportDir: string;
  readonly registry: ProcessRegistry;
  readonly progress: Progress;
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly redisUrl: string;
  /** How long Artillery may outlast its planned phases before it is killed. @default 60000 */
  readonly artilleryTimeoutMarginMs?: number;
  /** With `--prometheus`: a Prometheus per scenario scrapes its services, and its alerts become checks. */
  readonly prometheus?: { readonly bin: string };
}

/**
 * Runs one scenario: starts its services, runs Artillery, applies its phase actions, computes per-phase
 * statistics and every check, and stops everything it started, whatever happens.
 */
export async function runScenario(
  definition: ScenarioDefinition,
  options: RunScenarioOptions,
): Promise<ScenarioResult> {
  const directory = join(options.reportDir, definition.name);
  await mkdir(directory, { recursive: true });
  const file = (name: string) => join(directory, name);
  const rel = (path: string) => relative(options.reportDir, path);
  const isSuccess = definition.isSuccess ?? is2xx;
  const services: RunningService[] = [];
  const logs: string[] = [];
  const startedAt = Date.now();
  const actions: PhaseActionRecord[] = [];
  const charts: { title: string; path: string }[] = [];
  const checks: CheckResult[] = [];
  const pendingActions: Promise<void>[] = [];
  const ensureLines: { ok: boolean; expression: string; optional: boolean }[] = [];
  const phaseStarts: { index: number; name: string; durationSec: number; at: number }[] = [];
  let setup: ScenarioSetup | undefined;
  let prometheus: ScenarioPrometheus | undefined;
  let alerts: ScenarioAlerts | undefined;
  let artilleryExitCode: number | null | undefined;
  let error: string | undefined;
  let result: Omit<ScenarioResult, 'passed' | 'checks' | 'error' | 'artilleryExitCode'> = {
    name: definition.name,
    title: definition.title,
    mode: options.mode,
    startedAt,
    endedAt: startedAt,
    notes: [],
    overall: undefined,
    overallConcurrency: undefined,
    phases: [],
    endpoints: [],
    timeline: [],
    actions,
    files: { artilleryJson: rel(file('artillery.json')), logs, charts },
  };

  try {
    setup = await definition.setup({
      mode: options.mode,
      runId: options.runId,
      redisUrl: options.redisUrl,
      signal: options.signal,
      startService: async (spec: ServiceSpec) => {
        const logPath = file(`${spec.name}.log`);
        logs.push(rel(logPath));
        const service = await startService(spec, {
          registry: options.registry,
          logPath,
          signal: options.signal,
        });
        services.push(service);
        options.progress.note(`${spec.name} ready at ${service.url}`);
        return service;
      },
    });
    options.signal.throwIfAborted();
    if (options.prometheus !== undefined) {
      logs.push(rel(file(PROMETHEUS_FILES.config)), rel(file(PROMETHEUS_FILES.log)));
      prometheus = await startScenarioPrometheus({
        bin: options.prometheus.bin,
        registry: options.registry,
        directory,
        services,
        signal: options.signal,
      });
      options.progress.note(`prometheus ready at ${prometheus.server.url}`);
    }

    const firstPhaseAt = () => phaseStarts[0]?.at ?? startedAt;
    const onEvent = (event: ArtilleryConsoleEvent, at: number) => {
      if (event.type === 'phase-started') {
        phaseStarts.push({ index: event.index, name: event.name, durationSec: event.durationSec, at });
        options.progress.phaseStarted(event);
        const action = setup?.onPhaseStart?.[event.name];
        if (action !== undefined) {
          pendingActions.push(
            action().then(
              (description) => {
                actions.push({ phase: event.name, at: (Date.now() - firstPhaseAt()) / 1000, description });
                options.progress.note(`${event.name}: ${description}`);
              },
              (actionError: unknown) => {
                checks.push({
                  kind: 'process',
                  name: `action at the start of phase ${event.name}`,
                  expected: 'applied',
                  actual: describeError(actionError),
                  passed: false,
                });
              },
            ),
          );
        }
      } else if (event.type === 'intermediate') {
        options.progress.intermediate(event.metrics);
      } else if (event.type === 'check') {
        ensureLines.push(event);
      }
    };

    const consoleLog = file('artillery.log');
    logs.push(rel(consoleLog));
    const abortArtillery = () => {
      for (const running of options.registry.running()) {
        if (running.name === 'artillery') void running.stop(2_000);
      }
    };
    options.signal.addEventListener('abort', abortArtillery, { once: true });
    const run = await runArtillery({
      registry: options.registry,
      scriptPath: definition.scriptPath,
      environment: options.mode,
      target: setup.target,
      variables: setup.variables ?? {},
      outputPath: file('artillery.json'),
      consoleLogPath: consoleLog,
      requestLogPrefix: file('requests'),
      onEvent,
      timeoutMarginMs: options.artilleryTimeoutMarginMs ?? ARTILLERY_TIMEOUT_MARGIN_MS,
    }).finally(() => options.signal.removeEventListener('abort', abortArtillery));
    options.signal.throwIfAborted();
    await Promise.all(pendingActions);
    artilleryExitCode = run.exitCode;
    checks.push(
      artilleryTimeoutCheck(run.timedOut, options.artilleryTimeoutMarginMs ?? ARTILLERY_TIMEOUT_MARGIN_MS),
    );
    checks.push(...artilleryChecks(run.exitCode, ensureLines, run.report));

    const log = await readRequestLog(file('requests'));
    const lastEnd = log.requests.reduce(
      (max, request) => Math.max(max, request.t + (request.ms ?? request.elapsedMs ?? 0)),
      run.startedAt,
    );
    const phases: PhaseWindow[] = toPhaseWindows(phaseStarts, lastEnd);
    const byPhase = requestsByPhase(phases, log.requests);
    const phaseEnds = new Map(phases.map((phase) => [phase.name, phase.end]));
    const input: CheckInput = { byPhase, phaseEnds, all: log.requests, isSuccess };

    for (const threshold of definition.thresholds) checks.push(evaluateThreshold(threshold, input));
    for (const invariant of definition.invariants ?? []) checks.push(evaluateInvariant(invariant, input));
    if (setup.verify !== undefined) {
      try {
        checks.push(...(await setup.verify({ log, phases, byPhase, isSuccess })));
      } catch (verifyError) {
        checks.push({
          kind: 'verification',
          name: 'verification after the run',
          expected: 'completed',
          actual: describeError(verifyError),
          passed: false,
        });
      }
    }
    if (setup.charts !== undefined) {
      try {
        for (const chart of setup.charts({ log, phases, byPhase, isSuccess })) {
          await writeFile(file(chart.file), await renderSvg(chart.spec));
          charts.push({ title: chart.title, path: rel(file(chart.file)) });
        }
      } catch (chartError) {
        checks.push({
          kind: 'process',
          name: "the scenario's charts rendered",
          expected: 'written',
          actual: describeError(chartError),
          passed: false,
        });
      }
    }
    for (const service of services) checks.push(await serviceAliveCheck(service));
    if (prometheus !== undefined) {
      try {
        const observed = await prometheus.collect({
          expectations: definition.alerts ?? [],
          moments: runMoments(phases, actions, firstPhaseAt()),
          reference: firstPhaseAt(),
          lastRequestEnd: lastEnd,
        });
        checks.push(...observed.checks);
        alerts = observed.alerts;
      } catch (alertError) {
        options.signal.throwIfAborted();
        checks.push({
          kind: 'alert',
          name: 'alerts read from Prometheus',
          expected: 'completed',
          actual: describeError(alertError),
          passed: false,
        });
      }
    }

    result = {
      ...result,
      ...summarizeRun(log, phases, isSuccess, run.startedAt, lastEnd),
      endedAt: Date.now(),
      notes: setup.notes ?? [],
      ...(alerts === undefined ? {} : { alerts }),
    };
  } catch (runError) {
    error = options.signal.aborted ? 'interrupted' : describeError(runError);
    result = { ...result, endedAt: Date.now(), notes: setup?.notes ?? [] };
  } finally {
    await options.registry.stopAll();
    if (setup?.cleanup !== undefined) {
      try {
        await setup.cleanup();
      } catch (cleanupError) {
        checks.push({
          kind: 'process',
          name: 'cleanup after the run',
          expected: 'completed',
          actual: describeError(cleanupError),
          passed: false,
        });
      }
    }
  }

  const passed = error === undefined && checks.length > 0 && checks.every((check) => check.passed);
  return {
    ...result,
    passed,
    checks,
    artilleryExitCode,
    ...(error === undefined ? {} : { error }),
  };
}
