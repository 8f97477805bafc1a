import { describeAlertLabels } from '../prometheus/alert-timeline.js';
import type { ScenarioAlerts } from '../prometheus/scenario-prometheus.js';

const t = (ms: number, reference: number): string => `t=${((ms - reference) / 1000).toFixed(1)} s`;

/**
 * The alerts timeline of a scenario run with `--prometheus`: every alert that was pending or firing, from when to
 * when, in seconds after the first phase started (as the chart and the actions).
 */
export function alertsTimelineRows(alerts: ScenarioAlerts): string[][] {
  return alerts.intervals.map((interval) => [
    interval.alert,
    interval.state,
    t(interval.from, alerts.reference),
    interval.until === undefined
      ? `still ${interval.state} at ${t(alerts.observedUntil, alerts.reference)}`
      : t(interval.until, alerts.reference),
    interval.until === undefined ? '-' : `${((interval.until - interval.from) / 1000).toFixed(1)} s`,
    describeAlertLabels(interval.labels),
  ]);
}

export const ALERTS_TIMELINE_HEADER = [
  'alert',
  'state',
  'from',
  'until (resolved)',
  'lasted',
  'labels',
] as const;

/** The sentence under the timeline's heading. */
export function alertsTimelineNote(alerts: ScenarioAlerts): string {
  const until = t(alerts.observedUntil, alerts.reference);
  return alerts.intervals.length === 0
    ? `No alert was pending or firing (rules evaluated every second until ${until}).`
    : `From Prometheus' \`ALERTS\` series (rules evaluated every second until ${until}); "until" is the first evaluation that no longer found the alert in that state.`;
}
