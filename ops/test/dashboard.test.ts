import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allPanels,
  dashboardQueries,
  loadDashboard,
  metricNames,
  OPS_DIR,
  parseLabelValues,
  substituteVariables,
  type TemplateVariable,
  variableQuery,
} from './dashboard-model.js';
import { promtool } from './promtool.js';

const dashboard = loadDashboard();
const variables = dashboard.templating.list;
const panels = allPanels(dashboard);
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const readOps = (...path: string[]): string => readFileSync(join(OPS_DIR, ...path), 'utf8');

function variable(name: string): TemplateVariable {
  const found = variables.find((v) => v.name === name);
  if (found === undefined) throw new Error(`no template variable ${name}`);
  return found;
}

describe('metricNames', () => {
  it('finds the metrics of an aggregation, not its function names, groupings, matchers or durations', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{route!~"/metrics|x"}[5m])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
  });

  it('finds both sides of a binary expression and recording-rule names, skipping keywords and numbers', () => {
    expect(
      metricNames(
        'sum(rate(a_total[1m] offset 5m)) by (job) / on (job) group_left (x) job:b:rate5m > bool 1e3 and up',
      ),
    ).toEqual(['a_total', 'job:b:rate5m', 'up']);
  });

  it('ignores identifiers inside label values', () => {
    expect(metricNames('foo{bar="baz_total", q=~"up|down"}')).toEqual(['foo']);
  });
});

describe('substituteVariables', () => {
  it('replaces every form of a variable with its All value and Grafana intervals with a window', () => {
    const vars: TemplateVariable[] = [
      { name: 'service', type: 'query', allValue: '.+' },
      { name: 'route', type: 'query' },
    ];
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
    expect(substituteVariables('x{a=~"$service",b=~"${route}",c=~"[[route]]"}[$__rate_interval]', vars)).toBe(
      'x{a=~".+",b=~".*",c=~".*"}[1m]',
    );
  });

  it('leaves an undefined variable in place, so a query naming one is caught', () => {
    expect(substituteVariables('x{a=~"$nope"}', [])).toBe('x{a=~"$nope"}');
  });
});

describe('grafana/dashboards/resilience.json', () => {
  it('is a provisioning-ready dashboard: fixed uid, no database id, schema version 39', () => {
    expect(dashboard.uid).toMatch(/^[\w-]{1,40}$/);
    expect(dashboard.id ?? null).toBeNull();
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.title).toBeTruthy();
  });

  it('has a Prometheus datasource variable that every panel and every query uses', () => {
    expect(variable('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(DATASOURCE);
    }
  });

  it('has service, route and upstream variables from label_values, multi-value with an All option', () => {
    const expected = {
      service: { label: 'job', selector: 'http_requests_total' },
      route: { label: 'route', selector: 'http_requests_total{job=~"$service"}' },
      upstream: { label: 'upstream', selector: 'upstream_requests_total{job=~"$service"}' },
    };
    for (const [name, parsed] of Object.entries(expected)) {
      const v = variable(name);
      expect(v, name).toMatchObject({ type: 'query', includeAll: true, datasource: DATASOURCE });
      expect(parseLabelValues(variableQuery(v) ?? ''), name).toEqual(parsed);
    }
  });

  it('gives every panel a unique id, a description and at least one query; rows only group', () => {
    const ids = dashboard.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((inner) => inner.id)]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(panel.description, panel.title).toBeTruthy();
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr, panel.title).toBeTruthy();
    }
  });

  it('lays the panels out on the 24-column grid without overlaps', () => {
    const boxes = dashboard.panels.map((p) => ({ title: p.title, ...p.gridPos }));
    for (const box of boxes) {
      expect(box.x + box.w, box.title).toBeLessThanOrEqual(24);
      expect(box.w * box.h, box.title).toBeGreaterThan(0);
    }
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.title} / ${b.title}`).toBe(false);
      }
    }
  });

  it('has the panels an operator opens first, reading the recording rules where they exist', () => {
    const used = new Set(dashboardQueries(dashboard).flatMap((q) => metricNames(q.expr)));
    expect([...used]).toEqual(
      expect.arrayContaining([
        'up',
        'job_route:http_requests:rate5m',
        'job:http_requests_5xx:ratio_rate5m',
        'job_route:http_requests_5xx:ratio_rate5m',
        'job:http_request_duration_seconds:p95_5m',
        'job:http_request_duration_seconds:p99_5m',
        'job_route:http_request_duration_seconds:p50_5m',
        'job_route:http_request_duration_seconds:p95_5m',
        'job_route:http_request_duration_seconds:p99_5m',
        'circuit_breaker_state',
        'circuit_breaker_transitions_total',
        'job_upstream:upstream_requests:rate5m',
        'job_upstream:upstream_requests_failed:ratio_rate5m',
        'job_upstream:upstream_request_duration_seconds:p95_5m',
        'job_upstream:upstream_retries:ratio_rate5m',
        'upstream_retries_total',
        'upstream_retries_suppressed_total',
        'rate_limit_rejections_total',
        'rate_limit_store_errors_total',
        'stale_responses_total',
      ]),
    );
  });
});

describe('provisioning and scrape configuration', () => {
  it('provisions the dashboards directory as a file provider', () => {
    const text = readOps('grafana', 'provisioning', 'dashboards.yaml');
    expect(text).toMatch(/^apiVersion: 1$/m);
    expect(text).toMatch(/^\s+type: file$/m);
    expect(text).toMatch(/^\s+path: \/var\/lib\/grafana\/dashboards\/resilience$/m);
  });

  it('provisions Prometheus at the address ops/README.md starts it on', () => {
    const text = readOps('grafana', 'provisioning', 'datasources.yaml');
    expect(text).toMatch(/^apiVersion: 1$/m);
    expect(text).toMatch(/^\s+type: prometheus$/m);
    expect(text).toMatch(/^\s+url: http:\/\/127\.0\.0\.1:9090$/m);
    expect(readOps('README.md')).toContain('--web.listen-address=127.0.0.1:9090');
  });

  it('scrapes both apps at their default ports as the jobs the rules and the dashboard use', () => {
    const text = readOps('prometheus', 'prometheus.yml');
    expect(text).toMatch(/job_name: mock-api\n(?:.*\n)*?\s+- targets: \["127\.0\.0\.1:3001"\]/);
    expect(text).toMatch(/job_name: consumer\n(?:.*\n)*?\s+- targets: \["127\.0\.0\.1:3000"\]/);
  });

  it('passes promtool check config, rule files included', () => {
    const result = promtool(['check', 'config', 'prometheus.yml'], join(OPS_DIR, 'prometheus'));
    const ruleFiles = readdirSync(join(OPS_DIR, 'prometheus', 'rules')).filter((f) =>
      f.endsWith('.rules.yml'),
    );
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(result.output).toContain(`SUCCESS: ${ruleFiles.length} rule files found`);
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });
});
