import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { promtool } from './promtool.js';

const PROMETHEUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'prometheus');
const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
const TESTS_DIR = join(PROMETHEUS_DIR, 'tests');

const ruleFiles = readdirSync(RULES_DIR).filter((name) => name.endsWith('.rules.yml'));
const testFiles = readdirSync(TESTS_DIR).filter((name) => name.endsWith('.test.yml'));

/** The alerts every rule file must define between them (issue: what to watch in production). */
const REQUIRED_ALERTS = [
  'CircuitBreakerOpen',
  'RateLimitRejectionsHigh',
  'UpstreamTimeoutsHigh',
  'UpstreamRetriesHigh',
  'LatencyP95High',
  'RateLimitStoreErrors',
  'RetryBudgetExhausted',
  'ServiceDown',
  'HttpServerErrorsHigh',
];

describe('Prometheus rules', () => {
  it('pass promtool check rules', () => {
    const result = promtool(['check', 'rules', ...ruleFiles], RULES_DIR);
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });

  it('define every required alert, each with a severity, a summary and a description', () => {
    const text = ruleFiles.map((name) => readFileSync(join(RULES_DIR, name), 'utf8')).join('\n');
    const alerts = [...text.matchAll(/^\s*- alert: (\w+)$/gm)].map((match) => match[1]);
    expect(alerts).toEqual(expect.arrayContaining(REQUIRED_ALERTS));
    for (const block of text.split(/^\s*- alert: /m).slice(1)) {
      const name = block.split('\n')[0];
      expect(block, name).toMatch(/severity: (critical|warning|info)/);
      expect(block, name).toMatch(/summary: /);
      expect(block, name).toMatch(/description: /);
    }
  });

  it('have one promtool test file per rule file', () => {
    expect(testFiles.map((name) => name.replace('.test.yml', '')).sort()).toEqual(
      ruleFiles.map((name) => name.replace('.rules.yml', '')).sort(),
    );
  });

  for (const file of testFiles) {
    it(`pass promtool test rules ${file} (series that fire and series that stay quiet)`, () => {
      const result = promtool(['test', 'rules', file], TESTS_DIR);
      expect(result.output).toContain('SUCCESS');
      expect(result.output).not.toContain('FAILED');
      expect(result.status).toBe(0);
    });
  }

  it('fail promtool test rules when a threshold changes (the tests pin the rules)', () => {
    // A copy of the upstream rules with the timeout threshold raised: its test must fail.
    const original = readFileSync(join(RULES_DIR, 'upstream.rules.yml'), 'utf8');
    const changed = original.replaceAll('outcome="timeout"}[5m]))\n', 'outcome="timeout"}[5m])) * 0\n');
    expect(changed).not.toBe(original);
    const test = readFileSync(join(TESTS_DIR, 'upstream.test.yml'), 'utf8').replace(
      '../rules/upstream.rules.yml',
      'changed.rules.yml',
    );
    const dir = mkdtempSync(join(tmpdir(), 'ops-rules-'));
    try {
      writeFileSync(join(dir, 'changed.rules.yml'), changed);
      writeFileSync(join(dir, 'upstream.test.yml'), test);
      const result = promtool(['test', 'rules', 'upstream.test.yml'], dir);
      expect(result.output).toContain('UpstreamTimeoutsHigh');
      expect(result.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
