import { setTimeout as delay } from 'node:timers/promises';
import type { CheckResult } from '../checks.js';
import type { ProcessRegistry } from '../process-group.js';
import {
  type AlertExpectation,
  evaluateAlertExpectation,
  expectedAlertNames,
  type RunMoment,
} from './alert-checks.js';
import {
  type ActiveAlert,
  type AlertInterval,
  buildAlertTimeline,
  type MatrixSeries,
} from './alert-timeline.js';
import {
  advanceSettle,
  parseRfc3339,
  type RuleGroupStatus,
  rulesCheck,
  type ScrapeCount,
  scrapeCheck,
  type TargetStatus,
  targetKey,
} from './prometheus-checks.js';
import {
  PROMETHEUS_DEFAULTS,
  renderPrometheusConfig,
  type ScrapeTarget,
  scrapeTargets,
} from './prometheus-config.js';
import { type PrometheusServer, startPrometheus } from './prometheus-server.js';

/** What the report keeps of a scenario's alerts. */
export interface ScenarioAlerts {
  /** Epoch ms shown as t=0 (the first phase's start). */
  readonly reference: number;
  /** The last rule evaluation included, epoch ms. */
  readonly observedUntil: number;
  readonly intervals: readonly AlertInterval[];
}

export interface ScenarioPrometheusOptions {
  readonly bin: string;
  readonly registry: ProcessRegistry;
  /** The scenario's report directory: gets prometheus.yml, prometheus.log and prometheus-data/. */
  readonly directory: string;
  readonly services: readonly { readonly name: string; readonly port: number }[];
  readonly signal?: AbortSignal;
  readonly ruleFiles?: readonly string[];
  /** Longest wait for the scrapes and evaluations that follow the last request. @default 60000 */
  readonly settleTimeoutMs?: number;
}

export interface CollectInput {
  readonly expectations: readonly AlertExpectation[];
  readonly moments: ReadonlyMap<string, RunMoment>;
  readonly reference: number;
  /** When the last request ended, epoch ms: Prometheus must have scraped and evaluated after it. */
  readonly lastRequestEnd: number;
}

export interface ScenarioPrometheus {
  readonly server: PrometheusServer;
  readonly targets: readonly ScrapeTarget[];
  /**
   * After the load: waits until Prometheus has scraped every service and evaluated the rules after the last
   * request, reads the alerts, and evaluates the expectations, waiting (one evaluation at a time) while one is
   * undecided and its deadline is still ahead.
   */
  collect(input: CollectInput): Promise<{ checks: CheckResult[]; alerts: ScenarioAlerts }>;
}

const DEFAULT_SETTLE_TIMEOUT_MS = 60_000;
const POLL_MS = 200;

/** Starts a Prometheus that scrapes the scenario's mock-api and consumer instances with the repository's rules. */
export async function startScenarioPrometheus(
  options: ScenarioPrometheusOptions,
): Promise<ScenarioPrometheus> {
  const targets = scrapeTargets(options.services);
  const evaluationMs = PROMETHEUS_DEFAULTS.evaluationIntervalSec * 1000;
  const server = await startPrometheus({
    bin: options.bin,
    registry: options.registry,
    directory: options.directory,
    config: renderPrometheusConfig({
      targets,
      ...(options.ruleFiles ? { ruleFiles: options.ruleFiles } : {}),
    }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const wait = (ms: number) => delay(ms, undefined, options.signal ? { signal: options.signal } : {});

  async function status() {
    const [targetData, ruleData] = await Promise.all([
      server.api<{ activeTargets: TargetStatus[] }>('/api/v1/targets', { state: 'active' }),
      server.api<{ groups: RuleGroupStatus[] }>('/api/v1/rules', { type: 'alert' }),
    ]);
    return { targets: targetData.activeTargets, groups: ruleData.groups };
  }

  /** A range that covers everything this Prometheus has seen, and an instant query at `now`. */
  const sinceStart = (now: number) => ({
    range: `${Math.ceil((now - server.readyAt) / 1000) + 60}s`,
    time: (now / 1000).toFixed(3),
  });

  async function scrapeCounts(): Promise<Map<string, ScrapeCount>> {
    const { range, time } = sinceStart(Date.now());
    type Vector = { result: { metric: Record<string, string>; value: [number, string] }[] };
    const [up, all] = await Promise.all([
      server.api<Vector>('/api/v1/query', { query: `sum_over_time(up[${range}])`, time }),
      server.api<Vector>('/api/v1/query', { query: `count_over_time(up[${range}])`, time }),
    ]);
    const counts = new Map<string, ScrapeCount>();
    for (const sample of all.result) {
      const key = targetKey(sample.metric);
      const ok = up.result.find((candidate) => targetKey(candidate.metric) === key);
      counts.set(key, { up: Number(ok?.value[1] ?? 0), scrapes: Number(sample.value[1]) });
    }
    return counts;
  }

  async function timeline(): Promise<{ intervals: AlertInterval[]; observedUntil: number }> {
    const now = Date.now();
    const { range, time } = sinceStart(now);
    const [matrix, active, { groups }] = await Promise.all([
      server.api<{ result: MatrixSeries[] }>('/api/v1/query', {
        query: `ALERTS[${range}]`,
        time,
      }),
      server.api<{ alerts: ActiveAlert[] }>('/api/v1/alerts'),
      status(),
    ]);
    const evaluated = groups.map((group) => parseRfc3339(group.lastEvaluation)).filter(Number.isFinite);
    return {
      intervals: buildAlertTimeline(matrix.result, active.alerts, evaluationMs),
      observedUntil: evaluated.length > 0 ? Math.min(...evaluated) : server.readyAt,
    };
  }

  return {
    server,
    targets,
    async collect(input) {
      const checks: CheckResult[] = [];
      const settleBy = Date.now() + (options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS);
      let current = await status();
      let settle = advanceSettle(input.lastRequestEnd, undefined, current.targets, current.groups);
      while (!settle.settled && Date.now() < settleBy) {
        await wait(POLL_MS);
        current = await status();
        settle = advanceSettle(input.lastRequestEnd, settle, current.targets, current.groups);
      }
      const settled = settle.settled;
      checks.push(scrapeCheck(targets, current.targets, await scrapeCounts()));
      checks.push(rulesCheck(expectedAlertNames(input.expectations), current.groups));
      if (!settled) {
        checks.push({
          kind: 'alert',
          name: 'Prometheus scraped and evaluated after the last request',
          expected: `within ${(options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS) / 1000} s`,
          actual: 'not in time (the alerts below may miss the end of the run)',
          passed: false,
        });
      }

      // An expectation with a deadline still ahead (an alert that has not fired or resolved yet) is read again
      // after each evaluation until it is decided or its deadline has been evaluated.
      const deadlines = input.expectations.flatMap((expectation) => {
        if (!('within' in expectation) || expectation.within === undefined) return [];
        const moment = input.moments.get(expectation.within.of);
        return moment === undefined ? [] : [moment.at + expectation.within.sec * 1000];
      });
      const giveUpAt = Math.max(Date.now(), ...deadlines) + 10 * evaluationMs;
      for (;;) {
        const { intervals, observedUntil } = await timeline();
        const context = {
          timeline: intervals,
          moments: input.moments,
          reference: input.reference,
          observedUntil,
          // The scrape timeout equals the scrape interval (prometheus-config.ts).
          earlyToleranceMs: PROMETHEUS_DEFAULTS.scrapeIntervalSec * 1000,
        };
        const outcomes = input.expectations.map((expectation) =>
          evaluateAlertExpectation(expectation, context),
        );
        if (outcomes.every((outcome) => outcome.decided) || Date.now() >= giveUpAt) {
          checks.push(...outcomes.map((outcome) => outcome.check));
          return { checks, alerts: { reference: input.reference, observedUntil, intervals } };
        }
        await wait(evaluationMs);
      }
    },
  };
}
