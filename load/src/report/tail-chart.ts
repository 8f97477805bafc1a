import type { TopLevelSpec } from 'vega-lite';
import type { TimelinePoint } from '../scenario-result.js';
import type { TailPoint } from '../tail-stats.js';
import { latencyTicks } from './chart.js';

/** One arm's curve in a tail chart. */
export interface TailSeries {
  readonly label: string;
  readonly points: readonly TailPoint[];
}

const ARM_COLORS = ['#e45756', '#4c78a8', '#54a24b', '#f58518'] as const;

function colorOf(labels: readonly string[]) {
  return {
    field: 'series',
    type: 'nominal',
    scale: { domain: labels, range: labels.map((_, index) => ARM_COLORS[index % ARM_COLORS.length]) },
    title: null,
  } as const;
}

/**
 * The share of responses slower than x (a complementary CDF), one step curve per series, both axes logarithmic:
 * a slow tail is a plateau reaching to the slow latency; a dashed line at 1 % marks the p99 (where a curve
 * crosses it), one at 5 % the p95.
 */
export function tailChartSpec(title: string, series: readonly TailSeries[]): TopLevelSpec {
  const values = series.flatMap((entry) =>
    entry.points.map((point) => ({ series: entry.label, ms: point.ms, pct: point.slower * 100 })),
  );
  const smallest = Math.min(100, ...values.map((value) => value.pct));
  const labels = series.map((entry) => entry.label);
  const ticks = latencyTicks(values.map((value) => value.ms));
  const x = {
    field: 'ms',
    type: 'quantitative',
    title: 'latency, time to first byte (ms, symlog)',
    // Up to the tick above the slowest value, so the slow latency (300 ms) sits inside a labelled range.
    scale: { type: 'symlog', domain: [0, ticks.at(-1) ?? 1] },
    axis: { values: ticks },
  } as const;
  const guides = [
    { pct: 1, label: 'p99 (1 % slower)' },
    { pct: 5, label: 'p95 (5 % slower)' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    width: 760,
    height: 300,
    background: 'white',
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.5, interpolate: 'step-after' },
        encoding: {
          x,
          y: {
            field: 'pct',
            type: 'quantitative',
            title: 'responses slower than x (%, log)',
            scale: { type: 'log', domain: [Math.max(0.001, Math.min(1, smallest)), 100] },
          },
          color: colorOf(labels),
        },
      },
      {
        data: { values: guides },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888', strokeWidth: 1 },
        encoding: { y: { field: 'pct', type: 'quantitative' } },
      },
      {
        data: { values: guides },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 10, color: '#444' },
        encoding: {
          x: { value: 760 },
          y: { field: 'pct', type: 'quantitative' },
          text: { field: 'label', type: 'nominal' },
        },
      },
    ],
    config: {
      legend: { orient: 'top', symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 2 },
      font: 'sans-serif',
    },
  } as TopLevelSpec;
}

/** One arm's percentiles over time (one point per bucket) in a timeline chart. */
export interface ArmTimeline {
  readonly label: string;
  readonly timeline: readonly TimelinePoint[];
}

/**
 * p50 (thin) and p99 (thick) per bucket of each arm, on one symlog latency axis, as steps: each bucket's value holds
 * from its start to the next bucket's (the last one to its start + `bucketSec`, so it is drawn too).
 */
export function armTimelineSpec(
  title: string,
  arms: readonly ArmTimeline[],
  bucketSec: number,
): TopLevelSpec {
  const values = arms.flatMap((arm) => {
    const last = arm.timeline.at(-1);
    const points = last === undefined ? [] : [...arm.timeline, { ...last, t: last.t + bucketSec }];
    return points.flatMap((point) =>
      (['p50', 'p99'] as const).flatMap((percentile) => {
        const ms = point[percentile];
        return ms === undefined ? [] : [{ series: arm.label, percentile, t: point.t, ms }];
      }),
    );
  });
  const ticks = latencyTicks(values.map((value) => value.ms));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    width: 760,
    height: 280,
    background: 'white',
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds since the first phase started' },
      y: {
        field: 'ms',
        type: 'quantitative',
        title: 'latency, time to first byte (ms, symlog)',
        scale: { type: 'symlog', domain: [0, ticks.at(-1) ?? 1] },
        axis: { values: ticks },
      },
      color: colorOf(arms.map((arm) => arm.label)),
      detail: { field: 'percentile', type: 'nominal' },
      strokeWidth: {
        field: 'percentile',
        type: 'ordinal',
        scale: { domain: ['p50', 'p99'], range: [1, 2.5] },
        title: null,
      },
    },
    config: {
      legend: { orient: 'top', symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 2 },
      font: 'sans-serif',
    },
  } as TopLevelSpec;
}
