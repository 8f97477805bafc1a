import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp, FAULTS_ENV, TEST_ADMIN_TOKEN, type TestApp } from './helpers/build-app.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const execFileAsync = promisify(execFile);
let current: TestApp | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
});

function findPromtool(): string | undefined {
  const explicit = process.env.PROMTOOL_BIN;
  if (explicit !== undefined && explicit !== '') return explicit;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'promtool');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Exercises every metric family once: an order, a replay, a 429, a fault. */
async function exercise(target: TestApp['mockApi']['app']): Promise<void> {
  const order = () =>
    request(target)
      .post('/api/orders')
      .set('Idempotency-Key', 'metrics-1')
      .send({ itemId: '1', quantity: 1 });
  await order();
  await order();
  await request(target).get('/api/items/5');
  await request(target)
    .put('/__admin/faults')
    .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
    .send({ failNext: 1 });
  await request(target).get('/api/items');
  await request(target).get('/api/items');
  await request(target).get('/api/items');
}

describe('GET /metrics', () => {
  it('exposes the HTTP, rate-limit, fault and order metrics by route template', async () => {
    current = buildApp({ ...FAULTS_ENV, RATE_LIMIT_PER_MINUTE: '5' });
    const target = current.mockApi.app;
    await exercise(target);
    const response = await request(target).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/api\/orders",status="201"\} 2$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/api\/items\/:id",status="200"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{.*route="\/api\/items\/:id".*\} 1$/m);
    expect(text).not.toMatch(/route="\/api\/items\/5"/);
    // Answered before routing (a 429, an injected fault): labelled by the template they aimed at.
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/api\/items",status="429"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/api\/items",status="5\d\d"\} 1$/m);
    expect(text).not.toMatch(/route="unmatched",status="(429|5\d\d)"/);
    expect(text).toMatch(/^rate_limit_rejections_total\{window="minute"\} 1$/m);
    expect(text).toMatch(/^rate_limit_rejections_total\{window="hour"\} 0$/m);
    expect(text).toMatch(/^rate_limit_store_errors_total\{window="minute"\} 0$/m);
    expect(text).toMatch(/^faults_injected_total\{kind="fail_next"\} 1$/m);
    expect(text).toMatch(/^faults_injected_total\{kind="reset"\} 0$/m);
    expect(text).toMatch(/^orders_created_total 1$/m);
    expect(text).toMatch(/^idempotent_replays_total 1$/m);
  });

  it('passes promtool check metrics, default process metrics included', async () => {
    const promtool = findPromtool();
    if (promtool === undefined) {
      const message = 'promtool not found on PATH (or PROMTOOL_BIN): install the Debian package "prometheus"';
      if (process.env.CI === 'true') throw new Error(`${message} (CI=true: this check must run)`);
      process.stderr.write(`\n!!! SKIPPING the promtool check: ${message}\n\n`);
      return;
    }
    current = buildApp({ ...FAULTS_ENV, RATE_LIMIT_PER_MINUTE: '5' }, { collectDefaultMetrics: true });
    await exercise(current.mockApi.app);
    const text = (await request(current.mockApi.app).get('/metrics')).text;
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    const dir = mkdtempSync(join(tmpdir(), 'mock-api-metrics-'));
    try {
      const file = join(dir, 'metrics.txt');
      writeFileSync(file, text);
      // promtool reads the exposition from stdin; a shell keeps the redirect simple and portable.
      const { stdout, stderr } = await execFileAsync('sh', [
        '-c',
        `"$0" check metrics < "$1"`,
        promtool,
        file,
      ]);
      expect(`${stdout}${stderr}`.trim()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
