import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProcessRegistry } from '../src/process-group.js';
import { findPrometheus, PROMETHEUS_MISSING_MESSAGE } from '../src/prometheus/prometheus-server.js';
import { type ScenarioPrometheus, startScenarioPrometheus } from '../src/prometheus/scenario-prometheus.js';

// A real Prometheus with the repository's rules, scraping a stand-in consumer every second; waits are
// event-driven (scrapes, rule evaluations) with bounds of minutes, for a busy machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const UPSTREAM = 'http://upstream.test';
/** The breaker state the stand-in's /metrics shows. */
let breaker: 'closed' | 'open' = 'closed';

/** The consumer's breaker gauge, as the real consumer exposes it: one series per state, 1 for the current one. */
function metricsText(): string {
  const lines = [
    '# HELP circuit_breaker_in_state Circuit breaker state of each upstream as one series per state.',
    '# TYPE circuit_breaker_in_state gauge',
  ];
  for (const state of ['closed', 'half_open', 'open']) {
    lines.push(
      `circuit_breaker_in_state{upstream="${UPSTREAM}",state="${state}"} ${state === breaker ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

let directory: string;
let server: Server;
const registry = createProcessRegistry();
let prometheus: ScenarioPrometheus;

beforeAll(async () => {
  const bin = findPrometheus();
  if (bin === undefined) throw new Error(PROMETHEUS_MISSING_MESSAGE);
  directory = await mkdtemp(join(tmpdir(), 'load-prometheus-'));
  server = createServer((request, response) => {
    if (request.url === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(metricsText());
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  prometheus = await startScenarioPrometheus({
    bin,
    registry,
    directory,
    services: [{ name: 'consumer', port }],
  });
});

afterAll(async () => {
  await registry.stopAll();
  await new Promise((resolve) => server?.close(resolve));
  await rm(directory, { recursive: true, force: true });
});

describe('a Prometheus started for a scenario, with the repository rules', () => {
  it('sees CircuitBreakerOpen fire once the breaker gauge is open, and resolve once it is closed', async () => {
    const reference = prometheus.server.readyAt;
    const openedAt = Date.now();
    breaker = 'open';
    const opened = await prometheus.collect({
      expectations: [{ type: 'fires', alert: 'CircuitBreakerOpen', within: { sec: 30, of: 'open' } }],
      moments: new Map([['open', { at: openedAt, what: 'breaker open' }]]),
      reference,
      lastRequestEnd: openedAt,
    });
    expect(opened.checks.map((check) => [check.name, check.passed])).toEqual([
      ['Prometheus scraped every service', true],
      ['Prometheus loaded the alerting rules of ops/prometheus/rules', true],
      ['CircuitBreakerOpen fires within 30 s of open (breaker open)', true],
    ]);
    const firing = opened.alerts.intervals.filter((interval) => interval.alert === 'CircuitBreakerOpen');
    expect(firing).toEqual([
      expect.objectContaining({
        state: 'firing',
        until: undefined,
        labels: expect.objectContaining({ job: 'consumer', service: 'consumer', upstream: UPSTREAM }),
      }),
    ]);
    expect(firing[0]?.from).toBeGreaterThanOrEqual(openedAt - 1000);

    const closedAt = Date.now();
    breaker = 'closed';
    const closed = await prometheus.collect({
      expectations: [{ type: 'resolves', alert: 'CircuitBreakerOpen', within: { sec: 30, of: 'close' } }],
      moments: new Map([['close', { at: closedAt, what: 'breaker closed' }]]),
      reference,
      lastRequestEnd: closedAt,
    });
    expect(closed.checks.at(-1)).toMatchObject({
      name: 'CircuitBreakerOpen resolved within 30 s of close (breaker closed)',
      passed: true,
    });
    const resolved = closed.alerts.intervals.filter((interval) => interval.alert === 'CircuitBreakerOpen');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.from).toBe(firing[0]?.from);
    expect(resolved[0]?.until).toBeGreaterThan(closedAt);
  });

  it('writes its configuration and data into the scenario directory, and stops with the registry', async () => {
    const config = await readFile(join(directory, 'prometheus.yml'), 'utf8');
    expect(config).toContain('job_name: "consumer"');
    expect(existsSync(join(directory, 'prometheus-data', 'wal'))).toBe(true);
    expect(registry.running().map((process) => process.name)).toEqual(['prometheus']);
    await registry.stopAll();
    expect(prometheus.server.process.hasExited()).toBe(true);
    const answer = await fetch(`${prometheus.server.url}/-/ready`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(answer).toBe('refused');
  });
});
