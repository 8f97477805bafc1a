import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DashboardQuery,
  dashboardQueries,
  histogramBaseName,
  isRecordingRuleName,
  loadDashboard,
  metricNames,
  OPS_DIR,
  parseLabelValues,
  substituteVariables,
  variableQuery,
} from './dashboard-model.js';
import {
  findPrometheus,
  type PrometheusServer,
  type RunningApp,
  START_TIMEOUT_MS,
  startApp,
  startPrometheus,
} from './processes.js';

// Three real processes (Prometheus, mock-api, the consumer) and a wait for scrapes and rule evaluations.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const PROMETHEUS_CONFIG = join(OPS_DIR, 'prometheus', 'prometheus.yml');
const RULES_GLOB = join(OPS_DIR, 'prometheus', 'rules', '*.rules.yml');
/** The consumer's key at mock-api: a tier no test traffic reaches. */
const API_KEY = 'ops-dashboard-key';
/** Direct requests to mock-api without a key per round: more than its default 10 a minute, so some get 429. */
const UNKEYED_REQUESTS = 12;
/** Series Prometheus writes itself for every target; no app exposes them. */
const SCRAPE_SERIES = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
]);

const dashboard = loadDashboard();
const variables = dashboard.templating.list;
const queries = dashboardQueries(dashboard).map((query) => ({
  ...query,
  promql: substituteVariables(query.expr, variables),
  // `.+` wants the label to be there: a misspelt label name in a matcher then selects nothing, where `.*` would
  // also match series without it.
  strictPromql: substituteVariables(query.expr, variables, '.+'),
}));
const label = (query: DashboardQuery): string => `${query.panel} [${query.refId}]`;

let prometheus: PrometheusServer | undefined;
let mockApi: RunningApp | undefined;
let consumer: RunningApp | undefined;
/** Why beforeAll could not start everything: each test that needs the processes fails with it (not skipped). */
let startError: unknown;

/**
 * The shipped prometheus.yml with the test's own targets, a 1 s scrape and evaluation interval and the rule files
 * by absolute path. Each replaced text must be there, so a changed config shows up here instead of being missed.
 */
function testConfig(mockApiTarget: string, consumerTarget: string): string {
  const replacements: [string, string][] = [
    ['scrape_interval: 15s', 'scrape_interval: 1s'],
    ['evaluation_interval: 15s', 'evaluation_interval: 1s'],
    ['- rules/*.rules.yml', `- ${JSON.stringify(RULES_GLOB)}`],
    ['"127.0.0.1:3001"', JSON.stringify(mockApiTarget)],
    ['"127.0.0.1:3000"', JSON.stringify(consumerTarget)],
  ];
  let text = readFileSync(PROMETHEUS_CONFIG, 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from))
      throw new Error(`${PROMETHEUS_CONFIG} no longer contains ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  return text;
}

function running<T>(value: T | undefined, name: string): T {
  if (startError !== undefined) throw startError;
  if (value === undefined) throw new Error(`${name} did not start`);
  return value;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  return response.status;
}

/** One round of traffic: reads through the consumer (hits and a 404) and unkeyed calls to mock-api (429s). */
async function traffic(): Promise<void> {
  const consumerUrl = running(consumer, 'consumer').url;
  const mockApiUrl = running(mockApi, 'mock-api').url;
  for (const path of ['/catalog', '/catalog/1', '/catalog/2', '/catalog/no-such-item']) {
    await get(`${consumerUrl}${path}`);
  }
  for (let i = 0; i < UNKEYED_REQUESTS; i += 1) await get(`${mockApiUrl}/api/items`);
  await get(`${mockApiUrl}/api/items/1`, { 'x-api-key': API_KEY });
}

/** Metric names in a Prometheus text exposition, from its `# TYPE` lines, with their types. */
function exposedMetrics(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

beforeAll(async () => {
  try {
    await startEverything();
  } catch (error) {
    startError = error;
  }
});

async function startEverything(): Promise<void> {
  const bin = findPrometheus();
  if (bin === undefined) {
    throw new Error(
      'prometheus not found on PATH: install it (Debian: apt-get install prometheus, which also brings promtool). The dashboard query tests cannot run without it.',
    );
  }
  // LOG_LEVEL info: the port comes from the `listening` info line.
  mockApi = await startApp('mock-api', {
    LOG_LEVEL: 'info',
    API_KEYS: `${API_KEY}:1000000:10000000`,
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  consumer = await startApp('consumer', {
    LOG_LEVEL: 'info',
    UPSTREAM_URL: mockApi.url,
    UPSTREAM_API_KEY: API_KEY,
    RETRY_BASE_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  prometheus = await startPrometheus(bin, testConfig(mockApi.target, consumer.target));
  await traffic();
}

afterAll(async () => {
  await Promise.all([prometheus?.stop(), consumer?.stop(), mockApi?.stop()]);
});

describe('the Grafana dashboard against a real Prometheus scraping both apps', () => {
  it('has panel queries to check, each with every template variable replaced', () => {
    expect(queries.length).toBeGreaterThan(15);
    for (const query of queries) expect(query.promql, label(query)).not.toContain('$');
  });

  it('has only panel queries that Prometheus accepts as PromQL', async () => {
    const server = running(prometheus, 'prometheus');
    const rejected: string[] = [];
    for (const query of queries) {
      const answer = await server.query(query.promql);
      if (answer.status !== 'success') rejected.push(`${label(query)}: ${answer.error} in ${query.promql}`);
    }
    expect(rejected).toEqual([]);
  });

  it('uses only metrics that one of the apps exposes (recording rules resolved through ops/prometheus)', async () => {
    const server = running(prometheus, 'prometheus');
    await traffic();
    const exposed = new Map<string, string>();
    for (const app of [running(mockApi, 'mock-api'), running(consumer, 'consumer')]) {
      const response = await fetch(`${app.url}/metrics`, { signal: AbortSignal.timeout(30_000) });
      for (const [name, type] of exposedMetrics(await response.text())) exposed.set(name, type);
    }
    const rules = await server.api<{
      groups: { rules: { type: string; name: string; query: string }[] }[];
    }>('/api/v1/rules', { type: 'record' });
    expect(rules.status).toBe('success');
    const recorded = new Map(
      rules.data.groups.flatMap((g) => g.rules.map((r) => [r.name, r.query] as const)),
    );

    const missing: string[] = [];
    const used = new Set<string>();
    const resolve = (name: string, where: string, depth = 0): void => {
      if (isRecordingRuleName(name)) {
        const expr = recorded.get(name);
        if (expr === undefined || depth > 5) missing.push(`${where}: no recording rule ${name}`);
        else for (const inner of metricNames(expr)) resolve(inner, `${where} via ${name}`, depth + 1);
        return;
      }
      if (SCRAPE_SERIES.has(name)) return;
      const base = histogramBaseName(name);
      const found = exposed.has(name) || (base !== name && exposed.get(base) === 'histogram');
      if (found) used.add(exposed.has(name) ? name : base);
      else missing.push(`${where}: ${name} is exposed by neither app`);
    };
    for (const query of queries) for (const name of metricNames(query.promql)) resolve(name, label(query));
    expect(missing).toEqual([]);
    // The check saw the metrics the panels are about (a broken extraction would find nothing to check).
    expect([...used]).toEqual(
      expect.arrayContaining([
        'http_requests_total',
        'http_request_duration_seconds',
        'upstream_requests_total',
        'circuit_breaker_state',
        'upstream_retries_total',
        'upstream_retries_suppressed_total',
        'rate_limit_rejections_total',
        'rate_limit_store_errors_total',
        'stale_responses_total',
      ]),
    );
  });

  it('shows data in every panel query once Prometheus has scraped the apps under traffic, with the labels its legend names', async () => {
    const server = running(prometheus, 'prometheus');
    const deadline = Date.now() + START_TIMEOUT_MS;
    let problems: string[] = [];
    do {
      await traffic();
      problems = [];
      for (const query of queries) {
        const answer = await server.query(query.strictPromql);
        const series = answer.status === 'success' ? answer.data.result : [];
        if (!series.some((s) => Number.isFinite(Number(s.value[1])))) {
          problems.push(`${label(query)}: no finite value from ${query.strictPromql}`);
          continue;
        }
        for (const name of query.legendLabels) {
          if (!series.some((s) => s.metric[name] !== undefined)) {
            problems.push(`${label(query)}: the legend names ${name}, no series has it`);
          }
        }
      }
      if (problems.length === 0) break;
      await delay(1_000);
    } while (Date.now() < deadline);
    expect(problems, `prometheus output:\n${server.output()}`).toEqual([]);
  });

  it('fills the service, route and upstream variables from the scraped label values', async () => {
    const server = running(prometheus, 'prometheus');
    const values = new Map<string, string[]>();
    for (const variable of variables) {
      const query = variableQuery(variable);
      const parsed = query === undefined ? undefined : parseLabelValues(query);
      if (parsed === undefined) continue;
      const answer = await server.api<string[]>(`/api/v1/label/${parsed.label}/values`, {
        'match[]': substituteVariables(parsed.selector, variables),
      });
      expect(answer.status, variable.name).toBe('success');
      values.set(variable.name, answer.data);
    }
    expect(values.get('service')).toEqual(expect.arrayContaining(['mock-api', 'consumer']));
    expect(values.get('route')).toEqual(
      expect.arrayContaining(['/catalog', '/catalog/:id', '/api/items/:id']),
    );
    expect(values.get('upstream')).toEqual([running(mockApi, 'mock-api').url]);
  });
});
