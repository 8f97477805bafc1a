import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { PhaseActionRecord, ScenarioResult, TimelinePoint } from '../scenario-result.js';

const SERIES = ['p50', 'p95', 'p99', 'error rate'] as const;
const COLORS = ['#4c78a8', '#f58518', '#b279a2', '#e45756'];

/** The Vega-Lite spec of a scenario's chart: latency percentiles (left axis) and error rate (right axis). */
export function chartSpec(
  title: string,
  timeline: readonly TimelinePoint[],
  phases: readonly { readonly name: string; readonly t: number }[],
  actions: readonly PhaseActionRecord[] = [],
): TopLevelSpec {
  const latency = timeline.flatMap((point) =>
    (['p50', 'p95', 'p99'] as const).flatMap((series) => {
      const value = point[series];
      return value === undefined ? [] : [{ t: point.t, series, ms: value }];
    }),
  );
  const errors = timeline.flatMap((point) =>
    point.errorRate === undefined ? [] : [{ t: point.t, series: 'error rate', pct: point.errorRate * 100 }],
  );
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
        data: { values: errors },
        mark: { type: 'area', opacity: 0.18, line: { strokeWidth: 1 }, interpolate: 'step-after' },
        encoding: {
          x,
          y: {
            field: 'pct',
            type: 'quantitative',
            title: 'error rate (%)',
            scale: { domain: [0, 100] },
            axis: { orient: 'right', titleColor: COLORS[3] },
          },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: [...SERIES], range: COLORS },
            title: null,
          },
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
            axis: { orient: 'left' },
          },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: [...SERIES], range: COLORS },
            title: null,
          },
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
