import type { TopLevelSpec } from 'vega-lite';
import type { CheckResult, Invariant, PhaseThreshold } from './checks.js';
import type { PhaseWindow } from './phases.js';
import type { AlertExpectation } from './prometheus/alert-checks.js';
import type { RequestLog, RequestRecord } from './request-log.js';
import type { RunningService, ServiceSpec } from './service.js';
import type { SuccessRule } from './traffic-stats.js';

/** `full` runs the scenario's `full` Artillery environment, `smoke` its short `smoke` one. */
export type RunMode = 'full' | 'smoke';

/** What a scenario's setup gets from the runner. */
export interface ScenarioContext {
  readonly mode: RunMode;
  /** Unique per run: use it in key prefixes and client identities so runs never share state. */
  readonly runId: string;
  readonly redisUrl: string;
  /** Starts a service on a free port and waits until it is ready; the runner stops it after the scenario. */
  startService(spec: ServiceSpec): Promise<RunningService>;
  readonly signal: AbortSignal;
}

/** What the runner has after Artillery finished, for a scenario's own verification. */
export interface ScenarioOutcome {
  readonly log: RequestLog;
  readonly phases: readonly PhaseWindow[];
  readonly byPhase: ReadonlyMap<string, readonly RequestRecord[]>;
  readonly isSuccess: SuccessRule;
}

/** A chart of a scenario's own, beside the runner's latency chart: a Vega-Lite spec rendered to `<scenario>/<file>`. */
export interface ScenarioChart {
  /** File name in the scenario's report directory, e.g. `tail.svg`. */
  readonly file: string;
  /** Alt text and caption in the report. */
  readonly title: string;
  readonly spec: TopLevelSpec;
}

/** A change made when a phase starts (a fault switched on or off); resolves to what it did, for the report. */
export type PhaseAction = () => Promise<string>;

export interface ScenarioSetup {
  /** URL Artillery targets (`--target`). */
  readonly target: string;
  /** Variables for the scenario YAML (`--variables`). */
  readonly variables?: Readonly<Record<string, string | number>>;
  /** The configuration choices worth showing in the report. */
  readonly notes?: readonly string[];
  /** Actions keyed by the name of the phase whose start triggers them. */
  readonly onPhaseStart?: Readonly<Record<string, PhaseAction>>;
  /** Checks of the services' state after the run (they are still running). */
  readonly verify?: (outcome: ScenarioOutcome) => Promise<CheckResult[]>;
  /** Charts of the scenario's own, built after the run from the same outcome. @default none */
  readonly charts?: (outcome: ScenarioOutcome) => readonly ScenarioChart[];
  /**
   * Runs once the services are stopped, whatever happened (also after a failed or interrupted run): removes
   * what the scenario left behind outside its processes, such as its keys in a shared Redis. A failure is
   * reported in the scenario's checks.
   */
  readonly cleanup?: () => Promise<void>;
}

export interface ScenarioDefinition {
  readonly name: string;
  /** One line saying what the scenario proves. */
  readonly title: string;
  /** Absolute path of the Artillery YAML. */
  readonly scriptPath: string;
  /** What counts as success for this scenario. @default any 2xx */
  readonly isSuccess?: SuccessRule;
  /**
   * Why the scenario is left out of the smoke set (`pnpm load --smoke` with no names), when its thresholds do not
   * hold yet on the machines CI runs on; it stays in the full run and runs by name with `--smoke`.
   * @default undefined (in the smoke set)
   */
  readonly notInSmokeSet?: string;
  /** Thresholds the runner evaluates on the request log (Artillery evaluates the YAML's `ensure`). */
  readonly thresholds: readonly PhaseThreshold[];
  readonly invariants?: readonly Invariant[];
  /** What Prometheus' alerts must do during the run (checked with `--prometheus`). @default none */
  readonly alerts?: readonly AlertExpectation[];
  /** Starts the services and says how to drive them. */
  setup(context: ScenarioContext): Promise<ScenarioSetup>;
}
