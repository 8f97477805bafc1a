import type { RequestRecord } from './request-log.js';
import { type SuccessRule, summarizeTraffic } from './traffic-stats.js';

/**
 * Where a check comes from:
 * - `ensure`: Artillery's ensure plugin (aggregate metrics, in the scenario YAML);
 * - `expect`: Artillery's expect plugin (per-response expectations, in the scenario YAML);
 * - `phase`: a threshold on one phase's (or the whole run's) requests, computed by the runner;
 * - `invariant`: a rule every single response must keep;
 * - `verification`: a check of the services' state after the run (orders, rate-limit windows, breaker);
 * - `process`: the run itself (Artillery exit code, services alive);
 * - `alert`: Prometheus' alerts during the run, from the repository's rules (with `--prometheus`).
 */
export type CheckKind = 'ensure' | 'expect' | 'phase' | 'invariant' | 'verification' | 'process' | 'alert';

export interface CheckResult {
  readonly kind: CheckKind;
  /** What was checked, in words or as the ensure expression. */
  readonly name: string;
  readonly expected: string;
  readonly actual: string;
  readonly passed: boolean;
}

export type PhaseMetric = 'p50' | 'p95' | 'p99' | 'max' | 'successRate' | 'errors' | 'requests';
export type Comparison = '<' | '<=' | '>' | '>=' | '==';

/** A threshold on the requests of some phases (or `'*'`, the whole run), evaluated from the request log. */
export interface PhaseThreshold {
  /** Phase name, list of phase names, or `'*'` for the whole run. */
  readonly phase: string | readonly string[];
  readonly metric: PhaseMetric;
  readonly op: Comparison;
  /** ms for latency metrics, 0-1 for `successRate`, a count for `errors` and `requests`. */
  readonly value: number;
  /** Only requests with these names. */
  readonly endpoints?: readonly string[];
  /** Only responses with these statuses. */
  readonly statuses?: readonly number[];
  /**
   * Only requests answered before the phase ended (start + time to first byte <= the next phase's start; never
   * for the whole run): a request still in flight when the next phase began (and its fault was applied) saw
   * both phases. Such requests still count in whole-run thresholds and in the invariants; a request that got no
   * answer stays in the phase it started in.
   * @default false
   */
  readonly answeredInPhase?: boolean;
}

/** A rule every response (of some phases) must keep; each request that breaks it is a violation. */
export interface Invariant {
  readonly name: string;
  /** Phases it applies to; all when absent. */
  readonly phases?: readonly string[];
  readonly violates: (request: RequestRecord) => boolean;
}

export function compare(actual: number, op: Comparison, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}

function formatValue(metric: PhaseMetric, value: number): string {
  if (metric === 'successRate') return `${(value * 100).toFixed(value >= 0.999 && value < 1 ? 2 : 1)} %`;
  if (metric === 'errors' || metric === 'requests') return String(value);
  return `${value} ms`;
}

export function describeThreshold(threshold: PhaseThreshold): string {
  const scope = threshold.phase === '*' ? 'whole run' : [threshold.phase].flat().join(' + ');
  const filters = [
    threshold.endpoints ? `endpoints ${threshold.endpoints.join(', ')}` : undefined,
    threshold.statuses ? `status ${threshold.statuses.join('/')}` : undefined,
    threshold.answeredInPhase === true && threshold.phase !== '*' ? 'answered in the phase' : undefined,
  ].filter((part) => part !== undefined);
  const metric = threshold.metric === 'successRate' ? 'success' : threshold.metric;
  return `${metric} [${scope}${filters.length > 0 ? `; ${filters.join('; ')}` : ''}]`;
}

/** Requests grouped by phase name, plus the success rule of the scenario. */
export interface CheckInput {
  readonly byPhase: ReadonlyMap<string, readonly RequestRecord[]>;
  /** When each phase ended (epoch ms), for `answeredInPhase`. @default none: no request is left out */
  readonly phaseEnds?: ReadonlyMap<string, number>;
  readonly all: readonly RequestRecord[];
  readonly isSuccess: SuccessRule;
}

function selectPhases(
  input: CheckInput,
  phase: string | readonly string[],
  answeredInPhase: boolean,
): readonly RequestRecord[] | undefined {
  if (phase === '*') return input.all;
  const names = [phase].flat();
  const selected: RequestRecord[] = [];
  for (const name of names) {
    const requests = input.byPhase.get(name);
    if (requests === undefined) return undefined;
    const end = answeredInPhase ? input.phaseEnds?.get(name) : undefined;
    if (end === undefined) selected.push(...requests);
    else
      for (const request of requests)
        if (request.ms === null || request.t + request.ms <= end) selected.push(request);
  }
  return selected;
}

export function evaluateThreshold(threshold: PhaseThreshold, input: CheckInput): CheckResult {
  const name = describeThreshold(threshold);
  const expected = `${threshold.op} ${formatValue(threshold.metric, threshold.value)}`;
  const selected = selectPhases(input, threshold.phase, threshold.answeredInPhase === true);
  if (selected === undefined) {
    return { kind: 'phase', name, expected, actual: 'phase did not run', passed: false };
  }
  const filtered = selected.filter(
    (request) =>
      (threshold.endpoints === undefined || threshold.endpoints.includes(request.name)) &&
      (threshold.statuses === undefined ||
        (request.status !== null && threshold.statuses.includes(request.status))),
  );
  const stats = summarizeTraffic(filtered, input.isSuccess);
  let actual: number | undefined;
  switch (threshold.metric) {
    case 'p50':
    case 'p95':
    case 'p99':
    case 'max':
      actual = stats.latency[threshold.metric];
      break;
    case 'successRate':
      actual = stats.successRate;
      break;
    case 'errors':
      actual = Object.values(stats.errorCounts).reduce((sum, count) => sum + count, 0);
      break;
    case 'requests':
      actual = stats.requests;
      break;
  }
  if (actual === undefined) {
    return { kind: 'phase', name, expected, actual: 'no matching requests', passed: false };
  }
  return {
    kind: 'phase',
    name,
    expected,
    actual: formatValue(threshold.metric, actual),
    passed: compare(actual, threshold.op, threshold.value),
  };
}

export function evaluateInvariant(invariant: Invariant, input: CheckInput): CheckResult {
  const scope = invariant.phases ?? [...input.byPhase.keys()];
  let checked = 0;
  let violations = 0;
  let example: RequestRecord | undefined;
  for (const phase of scope) {
    for (const request of input.byPhase.get(phase) ?? []) {
      checked += 1;
      if (invariant.violates(request)) {
        violations += 1;
        example ??= request;
      }
    }
  }
  const name = invariant.phases ? `${invariant.name} [${invariant.phases.join(' + ')}]` : invariant.name;
  if (checked === 0) {
    return {
      kind: 'invariant',
      name,
      expected: '0 violations',
      actual: 'no requests checked',
      passed: false,
    };
  }
  const detail =
    example === undefined
      ? ''
      : ` (e.g. ${example.name} -> ${example.status ?? example.error}${example.xCache ? ` x-cache=${example.xCache}` : ''})`;
  return {
    kind: 'invariant',
    name,
    expected: '0 violations',
    actual: `${violations} of ${checked}${detail}`,
    passed: violations === 0,
  };
}
