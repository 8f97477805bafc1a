import { describe, expect, it } from 'vitest';
import { sampleResult } from '../../test/helpers/results.js';
import { chartSpec, latencyTicks, renderScenarioChart, renderSvg } from './chart.js';
import { renderMarkdown } from './markdown.js';
import { renderTerminalSummary } from './terminal-table.js';

const info = {
  command: 'pnpm load -- --smoke',
  mode: 'smoke' as const,
  startedAt: 0,
  endedAt: 6_000,
  node: 'v20.20.2',
  machine: '2 CPUs',
  loadAverage: [0.5, 1.25] as const,
};

describe('renderScenarioChart', () => {
  it('renders an SVG with the three percentiles, the error rate and the phase and action markers', async () => {
    const svg = await renderScenarioChart(sampleResult());
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['p50', 'p95', 'p99', 'error rate', 'healthy', 'outage-open', 'mock-api down']) {
      expect(svg).toContain(`>${label}</text>`);
    }
    // Self-contained: nothing to fetch.
    expect(svg).not.toMatch(/href="http/);
  });

  it('labels the low milliseconds of the latency axis, where p50 sits, up to the highest value', async () => {
    expect(latencyTicks([2.5, 8, 40])).toEqual([0, 1, 2, 5, 10, 20, 50]);
    expect(latencyTicks([0.4])).toEqual([0, 1]);
    expect(latencyTicks([])).toEqual([0, 1]);
    expect(latencyTicks([1000])).toEqual([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    const timeline = [
      { t: 0, requests: 10, p50: 2, p95: 6, p99: 9, errorRate: 0, limitedRate: 0 },
      { t: 1, requests: 10, p50: 3, p95: 8, p99: 30, errorRate: 0, limitedRate: 0 },
    ];
    const svg = await renderSvg(chartSpec('t', timeline, []));
    for (const label of ['1', '2', '5', '10', '20']) expect(svg).toContain(`>${label}</text>`);
  });

  it('puts latency and error rate on their own axes', () => {
    const spec = chartSpec('t', sampleResult().timeline, []) as { resolve?: unknown };
    expect(spec.resolve).toEqual({ scale: { y: 'independent' } });
  });
});

describe('renderMarkdown', () => {
  it('has the overview, then per scenario the checks, the phases and the chart', () => {
    const markdown = renderMarkdown(info, [
      sampleResult(),
      sampleResult({ name: 'fine', passed: true, checks: [] }),
    ]);
    expect(markdown).toContain('# Load test report: FAIL');
    expect(markdown).toContain('1-minute load average 0.5 at the start, 1.3 at the end');
    expect(markdown).toContain('| [outage](#outage) | FAIL | 3 | 66.7 % |');
    expect(markdown).toContain('| phase | p95 [outage-open] | < 20 ms | 30 ms | FAIL |');
    expect(markdown).toContain('| outage-open | 1 s | 1 | 0 % | 503: 1 |');
    expect(markdown).toContain('![outage chart](outage/chart.svg)');
    expect(markdown).toContain('- t=1.0 s (outage-open): mock-api down');
    expect(markdown).toContain('## fine: PASS');
    // Without --prometheus there is no alerts section.
    expect(markdown).not.toContain('Alerts (Prometheus)');
  });

  it('has the alerts timeline of a run with --prometheus, in seconds after the first phase started', () => {
    const markdown = renderMarkdown(info, [
      sampleResult({
        alerts: {
          reference: 10_000,
          observedUntil: 40_000,
          intervals: [
            {
              alert: 'CircuitBreakerOpen',
              labels: { job: 'consumer', severity: 'critical', upstream: 'http://127.0.0.1:4001' },
              state: 'firing',
              from: 15_200,
              lastSeen: 24_200,
              until: 25_200,
            },
            {
              alert: 'HttpServerErrorsHigh',
              labels: { job: 'consumer' },
              state: 'firing',
              from: 16_000,
              lastSeen: 40_000,
              until: undefined,
            },
          ],
        },
      }),
      sampleResult({ name: 'quiet', alerts: { reference: 0, observedUntil: 12_000, intervals: [] } }),
    ]);
    expect(markdown).toContain(
      [
        '### Alerts (Prometheus)',
        '',
        `From Prometheus' \`ALERTS\` series (rules evaluated every second until t=30.0 s); "until" is the first evaluation that no longer found the alert in that state.`,
        '',
        '| alert | state | from | until (resolved) | lasted | labels |',
        '| --- | --- | --- | --- | --- | --- |',
        '| CircuitBreakerOpen | firing | t=5.2 s | t=15.2 s | 10.0 s | job=consumer, upstream=http://127.0.0.1:4001 |',
        '| HttpServerErrorsHigh | firing | t=6.0 s | still firing at t=30.0 s | - | job=consumer |',
        '',
      ].join('\n'),
    );
    expect(markdown).toContain(
      'No alert was pending or firing (rules evaluated every second until t=12.0 s).',
    );
  });
});

describe('renderTerminalSummary', () => {
  it('prints one row per scenario and every failed check', () => {
    const text = renderTerminalSummary([sampleResult()], '/tmp/report');
    expect(text).toMatch(/scenario\s+result\s+time\s+requests/);
    expect(text).toMatch(/outage\s+FAIL\s+5\.0 s\s+3\s+66\.7 %/);
    expect(text).toContain('outage: [phase] p95 [outage-open]: expected < 20 ms, got 30 ms');
    expect(text).toContain('Report: /tmp/report/summary.md');
  });
});
