import { describe, expect, it } from 'vitest';
import { renderSvg } from './chart.js';
import { armTimelineSpec, tailChartSpec } from './tail-chart.js';

describe('tailChartSpec', () => {
  it('draws one curve per arm, in percent, with the p99 and p95 guides, and renders to SVG', async () => {
    const spec = tailChartSpec('tail', [
      {
        label: 'no-hedge',
        points: [
          { ms: 2, slower: 0.5 },
          { ms: 5, slower: 0.02 },
        ],
      },
      {
        label: 'hedged',
        points: [
          { ms: 2, slower: 0.4 },
          { ms: 9, slower: 0.001 },
        ],
      },
    ]);
    const layers = (spec as { layer: { data: { values: Record<string, unknown>[] } }[] }).layer;
    expect(layers[0]?.data.values).toEqual([
      { series: 'no-hedge', ms: 2, pct: 50 },
      { series: 'no-hedge', ms: 5, pct: 2 },
      { series: 'hedged', ms: 2, pct: 40 },
      { series: 'hedged', ms: 9, pct: 0.1 },
    ]);
    expect(layers[1]?.data.values.map((guide) => guide.pct)).toEqual([1, 5]);
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['no-hedge', 'hedged', 'p99 (1 % slower)', 'responses slower than x (%, log)']) {
      expect(svg).toContain(text);
    }
  });
});

describe('armTimelineSpec', () => {
  it('has p50 and p99 per bucket of each arm, the last bucket closed at its end, and renders to SVG', async () => {
    const point = (t: number, p50: number, p99: number | undefined) => ({
      t,
      requests: 10,
      p50,
      p95: p50,
      p99,
      errorRate: 0,
      limitedRate: 0,
    });
    const spec = armTimelineSpec(
      'per 5 s',
      [
        { label: 'no-hedge', timeline: [point(0, 3, 300), point(5, 4, undefined)] },
        { label: 'hedged', timeline: [point(0, 3, 12)] },
      ],
      5,
    );
    expect((spec as { data: { values: unknown[] } }).data.values).toEqual([
      { series: 'no-hedge', percentile: 'p50', t: 0, ms: 3 },
      { series: 'no-hedge', percentile: 'p99', t: 0, ms: 300 },
      { series: 'no-hedge', percentile: 'p50', t: 5, ms: 4 },
      { series: 'no-hedge', percentile: 'p50', t: 10, ms: 4 },
      { series: 'hedged', percentile: 'p50', t: 0, ms: 3 },
      { series: 'hedged', percentile: 'p99', t: 0, ms: 12 },
      { series: 'hedged', percentile: 'p50', t: 5, ms: 3 },
      { series: 'hedged', percentile: 'p99', t: 5, ms: 12 },
    ]);
    const svg = await renderSvg(spec);
    expect(svg).toContain('hedged');
    expect(svg).toContain('500');
  });
});
