import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT, main } from '../src/main.js';
import { createProcessRegistry } from '../src/process-group.js';
import { findPrometheus, PROMETHEUS_MISSING_MESSAGE } from '../src/prometheus/prometheus-server.js';
import type { ScenarioDefinition } from '../src/scenario-definition.js';
import type { ScenarioResult } from '../src/scenario-result.js';
import { transpileProcessor, writeFixtureScenario } from './helpers/artillery-fixture.js';
import { memoryStream } from './helpers/memory-stream.js';

// The whole pipeline with --prometheus: Artillery, a stand-in consumer and a real Prometheus, for a busy machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

/** A stand-in consumer whose /metrics shows its breaker open; every other path answers 200. */
const OPEN_BREAKER_CONSUMER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# TYPE circuit_breaker_in_state gauge\\n' +
      'circuit_breaker_in_state{upstream="http://upstream.test",state="closed"} 0\\n' +
      'circuit_breaker_in_state{upstream="http://upstream.test",state="half_open"} 0\\n' +
      'circuit_breaker_in_state{upstream="http://upstream.test",state="open"} 1\\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ level: 30, msg: 'listening', port: server.address().port }) + '\\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

let directory: string;
let scriptPath: string;

beforeAll(async () => {
  if (findPrometheus() === undefined) throw new Error(PROMETHEUS_MISSING_MESSAGE);
  directory = await mkdtemp(join(tmpdir(), 'load-prometheus-run-'));
  const processorPath = await transpileProcessor(directory);
  scriptPath = await writeFixtureScenario(directory, 'stand-in', {
    processorPath,
    ensure: ['conditions:', '  - expression: vusers.failed == 0'],
  });
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('pnpm load --prometheus', () => {
  it("fails a scenario on its alert check, shows the alert in the report's timeline, and stops Prometheus", async () => {
    const scenario: ScenarioDefinition = {
      name: 'quiet',
      title: 'expects no alert, while the consumer reports an open breaker',
      scriptPath,
      thresholds: [{ phase: 'only', metric: 'successRate', op: '>=', value: 1 }],
      alerts: [{ type: 'none-fire' }],
      async setup(context) {
        const service = await context.startService({
          name: 'consumer',
          args: ['-e', OPEN_BREAKER_CONSUMER],
          env: {},
        });
        return { target: service.url };
      },
    };
    const registry = createProcessRegistry();
    const reportDir = join(directory, 'report');
    const code = await main(['--smoke', '--prometheus', '--report-dir', reportDir, 'quiet'], {
      scenarios: [scenario],
      registry,
      signal: new AbortController().signal,
      stdout: memoryStream(),
      stderr: memoryStream(),
      redisUrl: 'redis://127.0.0.1:6379',
    });
    expect(code).toBe(EXIT.failed);
    expect(registry.running()).toEqual([]);

    const { results } = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as {
      results: ScenarioResult[];
    };
    const result = results[0];
    const alertChecks = result?.checks.filter((check) => check.kind === 'alert') ?? [];
    expect(alertChecks.map((check) => [check.name, check.passed])).toEqual([
      ['Prometheus scraped every service', true],
      ['Prometheus loaded the alerting rules of ops/prometheus/rules', true],
      ['no alert fires', false],
    ]);
    // Everything else held: the alert alone failed the scenario.
    expect(result?.checks.filter((check) => !check.passed)).toHaveLength(1);
    expect(result?.files.logs).toEqual(
      expect.arrayContaining(['quiet/prometheus.yml', 'quiet/prometheus.log']),
    );
    const markdown = await readFile(join(reportDir, 'summary.md'), 'utf8');
    expect(markdown).toContain('### Alerts (Prometheus)');
    expect(markdown).toMatch(
      /\| CircuitBreakerOpen \| firing \| t=-?\d+\.\d s \| still firing at t=\d+\.\d s \| - \| instance=127\.0\.0\.1:\d+, job=consumer, service=consumer, upstream=http:\/\/upstream\.test \|/,
    );
  });
});
