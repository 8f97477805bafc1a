import { measureConcurrency, type PhaseWindow, requestsByPhase } from './phases.js';
import type { RequestLog } from './request-log.js';
import type { ScenarioResult } from './scenario-result.js';
import { buildTimeline } from './timeline.js';
import { type SuccessRule, summarizeTraffic } from './traffic-stats.js';

/** The statistics of a finished run: overall, per phase, per endpoint, and the chart's time series. */
export type RunSummary = Pick<
  ScenarioResult,
  'overall' | 'overallConcurrency' | 'phases' | 'endpoints' | 'timeline'
>;

export function summarizeRun(
  log: RequestLog,
  phases: readonly PhaseWindow[],
  isSuccess: SuccessRule,
  runStart: number,
  runEnd: number,
): RunSummary {
  const byPhase = requestsByPhase(phases, log.requests);
  const origin = phases[0]?.start ?? runStart;
  const endpointNames = [...new Set(log.requests.map((request) => request.name))].sort();
  return {
    overall: summarizeTraffic(log.requests, isSuccess),
    overallConcurrency: measureConcurrency(log.sessions, origin, runEnd),
    phases: phases.map((phase) => ({
      phase,
      stats: summarizeTraffic(byPhase.get(phase.name) ?? [], isSuccess),
      // Over the planned duration: not the users still finishing after the last arrival.
      concurrency: measureConcurrency(log.sessions, phase.start, Math.min(phase.end, phase.plannedEnd)),
    })),
    endpoints: endpointNames.map((name) => ({
      name,
      stats: summarizeTraffic(
        log.requests.filter((request) => request.name === name),
        isSuccess,
      ),
    })),
    timeline: buildTimeline(log.requests, origin, isSuccess),
  };
}
