import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT, main } from '../src/main.js';
import { parseOrderList, verifyOrders } from '../src/order-verification.js';
import { createProcessRegistry } from '../src/process-group.js';
import { tailChartSpec } from '../src/report/tail-chart.js';
import type { ScenarioDefinition } from '../src/scenario-definition.js';
import type { ScenarioResult } from '../src/scenario-result.js';
import { latencyTail } from '../src/tail-stats.js';
import { transpileProcessor, writeFixtureScenario } from './helpers/artillery-fixture.js';
import { memoryStream } from './helpers/memory-stream.js';
import { standInService } from './helpers/stand-in-server.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

// Each kind of threshold fails the run on its own: Artillery's `ensure` and `expect`, and the runner's per-phase
// thresholds, per-response invariants and verifications. One run where everything holds shows the checks are
// not failing by default, and that the report and its chart are written. The runs are concurrent (each is
// mostly Artillery's start-up) against a stand-in server the runner starts like an app.

let directory: string;
let processorPath: string;
let passingScript: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'load-thresholds-'));
  processorPath = await transpileProcessor(directory);
  passingScript = await writeFixtureScenario(directory, 'stand-in', {
    processorPath,
    ensure: [
      'thresholds:',
      '  - http.response_time.p99: 5000',
      'conditions:',
      '  - expression: vusers.failed == 0',
    ],
  });
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function scenario(name: string, scriptPath: string): ScenarioDefinition {
  return {
    name,
    title: name,
    scriptPath,
    thresholds: [{ phase: 'only', metric: 'successRate', op: '>=', value: 1 }],
    async setup(context) {
      const service = await context.startService(standInService());
      return { target: service.url };
    },
  };
}

async function runOne(definition: ScenarioDefinition) {
  const registry = createProcessRegistry();
  const stdout = memoryStream();
  const reportDir = join(directory, definition.name);
  const code = await main(['--smoke', '--report-dir', reportDir, definition.name], {
    scenarios: [definition],
    registry,
    signal: new AbortController().signal,
    stdout,
    stderr: memoryStream(),
    redisUrl: 'redis://127.0.0.1:6379',
  });
  const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as {
    results: ScenarioResult[];
  };
  // Every process the run started is gone.
  expect(registry.running()).toEqual([]);
  return { code, result: summary.results[0], stdout: stdout.text(), reportDir };
}

describe.concurrent('thresholds evaluated by Artillery', () => {
  it('an impossible ensure threshold fails the run', async () => {
    const scriptPath = await writeFixtureScenario(directory, 'ensure-impossible', {
      processorPath,
      ensure: [
        'thresholds:',
        '  - http.response_time.p95: 0',
        'conditions:',
        '  - expression: vusers.failed == 0',
      ],
    });
    const { code, result, stdout } = await runOne(scenario('ensure-impossible', scriptPath));

    expect(code).toBe(EXIT.failed);
    const failed = result?.checks.filter((check) => !check.passed) ?? [];
    expect(failed.map((check) => `${check.kind}: ${check.name}`)).toEqual([
      'ensure: http.response_time.p95 < 0',
      'process: artillery exit code',
    ]);
    // The possible ensure condition and the runner's own threshold passed: only the impossible one failed.
    expect(result?.checks.find((check) => check.name === 'vusers.failed == 0')?.passed).toBe(true);
    expect(stdout).toContain('[ensure] http.response_time.p95 < 0');
  });

  it('a failed expect fails the run (Artillery exit code 21)', async () => {
    const scriptPath = await writeFixtureScenario(directory, 'expect-impossible', {
      processorPath,
      ensure: ['conditions:', '  - expression: vusers.failed == 0'],
      expectStatus: 418,
    });
    const { code, result } = await runOne(scenario('expect-impossible', scriptPath));

    expect(code).toBe(EXIT.failed);
    expect(result?.artilleryExitCode).toBe(21);
    const failed = result?.checks.filter((check) => !check.passed) ?? [];
    expect(failed.map((check) => check.kind)).toEqual(['expect', 'process']);
    expect(failed[0]?.actual).toMatch(/^4 failed of 4/);
  });
});

describe.concurrent('checks evaluated by the runner', () => {
  it("passes when every threshold holds, and writes the report with its chart and the scenario's own", async () => {
    const { code, result, stdout, reportDir } = await runOne({
      name: 'holds',
      title: 'every threshold holds',
      scriptPath: passingScript,
      thresholds: [
        { phase: 'only', metric: 'p95', op: '<', value: 5_000 },
        { phase: '*', metric: 'successRate', op: '>=', value: 1 },
      ],
      invariants: [{ name: 'answered 200', violates: (request) => request.status !== 200 }],
      async setup(context) {
        const service = await context.startService(standInService());
        return {
          target: service.url,
          verify: async (outcome) => [
            {
              kind: 'verification',
              name: 'requests logged',
              expected: '4',
              actual: String(outcome.log.requests.length),
              passed: outcome.log.requests.length === 4,
            },
          ],
          charts: (outcome) => [
            {
              file: 'own.svg',
              title: 'own tail chart',
              spec: tailChartSpec('own tail of the stand-in', [
                {
                  label: 'stand-in',
                  points: latencyTail(outcome.log.requests.map((request) => request.ms ?? 0)),
                },
              ]),
            },
          ],
        };
      },
    });

    expect(result?.checks.filter((check) => !check.passed)).toEqual([]);
    expect(code).toBe(EXIT.ok);
    expect(result?.phases.map((phase) => [phase.phase.name, phase.stats.requests])).toEqual([['only', 4]]);
    expect(result?.checks.map((check) => check.kind)).toEqual(
      expect.arrayContaining(['ensure', 'phase', 'invariant', 'verification', 'process']),
    );
    const svg = await readFile(join(reportDir, 'holds', 'chart.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('p95');
    const markdown = await readFile(join(reportDir, 'summary.md'), 'utf8');
    expect(markdown).toContain('## holds: PASS');
    expect(markdown).toContain('![own tail chart](holds/own.svg)');
    expect(await readFile(join(reportDir, 'holds', 'own.svg'), 'utf8')).toContain('own tail of the stand-in');
    expect(markdown).toContain('| only | 1 s | 4 | 100 % |');
    await access(join(reportDir, 'holds', 'artillery.json'));
    expect(stdout).toMatch(/holds\s+PASS/);
  });

  it('fails the run when a phase threshold, an invariant or a verification does not hold', async () => {
    const { code, result, stdout } = await runOne({
      name: 'impossible',
      title: 'one impossible check of each runner kind',
      scriptPath: passingScript,
      thresholds: [
        { phase: 'only', metric: 'p95', op: '<', value: 0 },
        { phase: '*', metric: 'successRate', op: '>=', value: 1 },
      ],
      invariants: [{ name: 'never answered 200', violates: (request) => request.status === 200 }],
      async setup(context) {
        // The stand-in's order list holds two orders made with one idempotency key: the verification reads it
        // after the run, as the transient-faults scenario reads mock-api's.
        const orders = [
          { id: 'o-1', idempotencyKey: 'key-1' },
          { id: 'o-2', idempotencyKey: 'key-1' },
        ];
        const service = await context.startService(
          standInService('stand-in', { STAND_IN_ORDERS: JSON.stringify(orders) }),
        );
        return {
          target: service.url,
          verify: async (outcome) => {
            const response = await fetch(`${service.url}/api/orders`);
            const list = parseOrderList(await response.json());
            // The fixture makes no checkouts, so only the duplicate check is meaningful here.
            return verifyOrders([], list, outcome.isSuccess).filter((check) =>
              check.name.includes('idempotency key'),
            );
          },
        };
      },
    });

    expect(code).toBe(EXIT.failed);
    const failed = result?.checks.filter((check) => !check.passed) ?? [];
    expect(failed.map((check) => `${check.kind}: ${check.name}`)).toEqual([
      'phase: p95 [only]',
      'invariant: never answered 200',
      'verification: orders: no idempotency key or id with two orders',
    ]);
    expect(failed[2]?.actual).toBe('1 duplicates');
    // Artillery itself was content: the failure comes from the runner's checks alone.
    expect(result?.artilleryExitCode).toBe(0);
    expect(stdout).toContain('impossible: [phase] p95 [only]: expected < 0 ms');
  });

  it('fails the run when a service dies during the load (the "no crash" check)', async () => {
    const { code, result } = await runOne({
      name: 'crash',
      title: 'the service exits after answering the load',
      scriptPath: passingScript,
      thresholds: [{ phase: '*', metric: 'successRate', op: '>=', value: 1 }],
      async setup(context) {
        // The fixture sends 4 requests: the stand-in answers all of them, then exits on its own.
        const service = await context.startService(standInService('stand-in', { STAND_IN_EXIT_AFTER: '4' }));
        return { target: service.url };
      },
    });

    expect(code).toBe(EXIT.failed);
    const failed = result?.checks.filter((check) => !check.passed) ?? [];
    expect(failed).toEqual([
      {
        kind: 'process',
        name: 'stand-in still running and healthy after the load',
        expected: 'running, /healthz 200',
        actual: 'exited',
        passed: false,
      },
    ]);
    // Every request was answered: the failure is the crash alone.
    expect(result?.overall?.requests).toBe(4);
    expect(result?.artilleryExitCode).toBe(0);
  });
});
