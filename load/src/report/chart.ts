import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { PhaseActionRecord, ScenarioResult, TimelinePoint } from '../scenario-result.js';

const LATENCY_SERIES = ['p50', 'p95', 'p99'] as const;
const COLORS: Readonly<Record<string, string>> = {
  p50: '#4c78a8',
  p95: '#f58518',
  p99: '#b279a2',
  'error rate': '#e45756',
  '429 share': '#54a24b',
};

const TICK_STEPS = [1, 2, 5] as const;

/**
 * Labels for the latency axis: 0, 1, 2, 5, 10, 20, 50, ... up to the first one at or above the highest value,
 * so the low milliseconds where p50 lives are labelled as well as the tail.
 */
export function latencyTicks(values: readonly number[]): number[] {
  const highest = Math.max(1, ...values);
  const ticks = [0];
  for (let decade = 1; ; decade *= 10) {
    for (const step of TICK_STEPS) {
      ticks.push(step * decade);
      if (step * decade >= highest) return ticks;
    }
  }
}

/** The Vega-Lite spec of a scenario's chart: latency percentiles (left axis) and error rate (right axis). */
export function chartSpec(
  title: string,
  timeline: readonly TimelinePoint[],
  phases: readonly { readonly name: string; readonly t: number }[],
  actions: readonly PhaseActionRecord[] = [],
): TopLevelSpec {
  const latency = timeline.flatMap((point) =>
    LATENCY_SERIES.flatMap((name) => {
      const value = point[name];
      return value === undefined ? [] : [{ t: point.t, series: name, ms: value }];
    }),
  );
  const errors = timeline.flatMap((point) =>
    point.errorRate === undefined ? [] : [{ t: point.t, series: 'error rate', pct: point.errorRate * 100 }],
  );
  // In the rate-limit scenarios 429 is a correct answer, not an error: its share gets a series of its own.
  const limited = timeline.some((point) => (point.limitedRate ?? 0) > 0)
    ? timeline.flatMap((point) =>
        point.limitedRate === undefined
          ? []
          : [{ t: point.t, series: '429 share', pct: point.limitedRate * 100 }],
      )
    : [];
  const series = [...LATENCY_SERIES, 'error rate', ...(limited.length > 0 ? ['429 share'] : [])];
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: series, range: series.map((name) => COLORS[name] ?? '#888') },
    title: null,
  } as const;
  // Phase labels alternate between two rows so that short neighbouring phases stay readable; actions get a third.
  const markers = [
    ...phases.map((phase, index) => ({ t: phase.t, label: phase.name, row: index % 2 })),
    ...actions.map((action) => ({ t: action.at, label: action.description, row: 2 })),
  ];
  const x = { field: 't', type: 'quantitative', title: 'seconds since the first phase started' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    width: 760,
    height: 280,
    background: 'white',
    layer: [
      {
        data: { values: [...errors, ...limited] },
        mark: { type: 'area', opacity: 0.18, line: { strokeWidth: 1 }, interpolate: 'step-after' },
        encoding: {
          x,
          y: {
            field: 'pct',
            type: 'quantitative',
            title: limited.length > 0 ? 'error rate, 429 share (%)' : 'error rate (%)',
            scale: { domain: [0, 100] },
            axis: { orient: 'right', titleColor: COLORS['error rate'] },
            // Error rate and 429 share are separate shares of the same requests: never stacked.
            stack: null,
          },
          color,
        },
      },
      {
        data: { values: latency },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y: {
            field: 'ms',
            type: 'quantitative',
            title: 'latency, time to first byte (ms, symlog)',
            scale: { type: 'symlog' },
            // A symlog axis left to itself labels only 0 and the decades far above p50 (2-8 ms here).
            axis: { orient: 'left', values: latencyTicks(latency.map((point) => point.ms)) },
          },
          color,
        },
      },
      {
        data: { values: markers },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888', strokeWidth: 1 },
        encoding: { x: { field: 't', type: 'quantitative' } },
      },
      ...[0, 1, 2].map((row) => ({
        data: { values: markers.filter((marker) => marker.row === row) },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'top',
          dx: 3,
          dy: 2 + row * 12,
          fontSize: 10,
          color: row === 2 ? '#b22' : '#444',
        },
        encoding: {
          x: { field: 't', type: 'quantitative' },
          y: { value: 0 },
          text: { field: 'label', type: 'nominal' },
        },
      })),
    ],
    resolve: { scale: { y: 'independent' } },
    config: {
      legend: { orient: 'top', symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 2 },
      font: 'sans-serif',
    },
  } as TopLevelSpec;
}

/** Renders a Vega-Lite spec to SVG in this process: no browser, no network. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new View(parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart of one scenario run. */
export async function renderScenarioChart(result: ScenarioResult): Promise<string> {
  const origin = result.phases[0]?.phase.start ?? result.startedAt;
  const phases = result.phases.map((entry) => ({
    name: entry.phase.name,
    t: (entry.phase.start - origin) / 1000,
  }));
  return renderSvg(
    chartSpec(
      `${result.name} (${result.mode}): p50 / p95 / p99 and error rate`,
      result.timeline,
      phases,
      result.actions,
    ),
  );
}
