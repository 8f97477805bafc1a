/** One series of a range vector (`/api/v1/query` of `ALERTS[<range>]`): labels and `[seconds, value]` samples. */
export interface MatrixSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly (readonly [number, string])[];
}

/** One entry of `/api/v1/alerts`: an alert pending or firing now. */
export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
  readonly activeAt?: string;
}

export type AlertState = 'pending' | 'firing';

/** A stretch of time during which one alert (one label set) was pending or firing. */
export interface AlertInterval {
  readonly alert: string;
  /** The alert's labels without `alertname` and `alertstate` (job, instance, upstream, severity, ...). */
  readonly labels: Readonly<Record<string, string>>;
  readonly state: AlertState;
  /** The first rule evaluation that found it in this state, epoch ms. */
  readonly from: number;
  /** The last rule evaluation that found it in this state, epoch ms. */
  readonly lastSeen: number;
  /**
   * The next evaluation, the first that no longer found it in this state (resolved; for `pending`, also when it
   * became firing), epoch ms; `undefined` when it still was in this state at the end.
   */
  readonly until: number | undefined;
}

/** Samples further apart than this many evaluation intervals belong to two stretches (resolved in between). */
const GAP_INTERVALS = 1.5;

function isAlertState(value: string | undefined): value is AlertState {
  return value === 'pending' || value === 'firing';
}

/** The labels that identify an alert instance (`alertname` included), as a stable key. */
function identity(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([name]) => name !== '__name__' && name !== 'alertstate')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * The alerts timeline of a run, from Prometheus' own record of its alerts: the `ALERTS` series (one sample per
 * rule evaluation while an alert is pending or firing, at the evaluation's time) and `/api/v1/alerts` (what is
 * active when asked). A stretch ends at the evaluation after its last sample (`lastSeen + evaluationIntervalMs`),
 * unless it is its series' last and `/api/v1/alerts` still lists the alert in that state. Sorted by start,
 * then name.
 */
export function buildAlertTimeline(
  series: readonly MatrixSeries[],
  active: readonly ActiveAlert[],
  evaluationIntervalMs: number,
): AlertInterval[] {
  const stillActive = new Set(active.map((alert) => `${alert.state} ${identity(alert.labels)}`));
  const intervals: AlertInterval[] = [];
  for (const entry of series) {
    const state = entry.metric.alertstate;
    const alert = entry.metric.alertname;
    if (!isAlertState(state) || alert === undefined) continue;
    const labels = Object.fromEntries(
      Object.entries(entry.metric).filter(
        ([name]) => name !== '__name__' && name !== 'alertname' && name !== 'alertstate',
      ),
    );
    const times = entry.values
      .filter(([, value]) => value === '1')
      .map(([seconds]) => Math.round(seconds * 1000))
      .sort((a, b) => a - b);
    const isActive = stillActive.has(`${state} ${identity(entry.metric)}`);
    let start: number | undefined;
    let previous = 0;
    times.forEach((time, index) => {
      if (start === undefined) start = time;
      else if (time - previous > GAP_INTERVALS * evaluationIntervalMs) {
        intervals.push({
          alert,
          labels,
          state,
          from: start,
          lastSeen: previous,
          until: previous + evaluationIntervalMs,
        });
        start = time;
      }
      previous = time;
      if (index === times.length - 1) {
        intervals.push({
          alert,
          labels,
          state,
          from: start,
          lastSeen: time,
          until: isActive ? undefined : time + evaluationIntervalMs,
        });
      }
    });
  }
  return intervals.sort((a, b) => a.from - b.from || (a.alert < b.alert ? -1 : a.alert > b.alert ? 1 : 0));
}

/** `instance=..., job=consumer, upstream=...`: the labels worth showing (all but `severity`), sorted. */
export function describeAlertLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .filter(([name]) => name !== 'severity')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}
