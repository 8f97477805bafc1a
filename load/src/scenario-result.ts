import type { CheckResult } from './checks.js';
import type { Concurrency, PhaseWindow } from './phases.js';
import type { ScenarioAlerts } from './prometheus/scenario-prometheus.js';
import type { RunMode } from './scenario-definition.js';
import type { TrafficStats } from './traffic-stats.js';

/** One point of the chart: the requests that started in [t, t + width). */
export interface TimelinePoint {
  /** Seconds since the first phase started. */
  readonly t: number;
  readonly requests: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  /** Share of requests that were not a success, 0-1. */
  readonly errorRate: number | undefined;
  /** Share of requests answered 429, 0-1 (a correct answer in the rate-limit scenarios, so not an error). */
  readonly limitedRate: number | undefined;
}

export interface PhaseResult {
  readonly phase: PhaseWindow;
  readonly stats: TrafficStats;
  readonly concurrency: Concurrency;
}

export interface PhaseActionRecord {
  readonly phase: string;
  /** Seconds since the first phase started. */
  readonly at: number;
  readonly description: string;
}

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly mode: RunMode;
  readonly passed: boolean;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly notes: readonly string[];
  readonly overall: TrafficStats | undefined;
  readonly overallConcurrency: Concurrency | undefined;
  readonly phases: readonly PhaseResult[];
  readonly endpoints: readonly { readonly name: string; readonly stats: TrafficStats }[];
  readonly checks: readonly CheckResult[];
  readonly timeline: readonly TimelinePoint[];
  readonly actions: readonly PhaseActionRecord[];
  /** Artillery's exit code (`null` when it did not run to the end). */
  readonly artilleryExitCode: number | null | undefined;
  /** With `--prometheus`: the alerts that were pending or firing during the scenario. */
  readonly alerts?: ScenarioAlerts;
  /** Why the scenario could not run, when it could not. */
  readonly error?: string;
  /** Files of this scenario, relative to the report directory. */
  readonly files: {
    readonly artilleryJson: string;
    readonly chart?: string;
    /** The scenario's own charts (`ScenarioSetup.charts`), each with its caption. */
    readonly charts?: readonly { readonly title: string; readonly path: string }[];
    readonly logs: readonly string[];
  };
}
