import type { ArtilleryReport } from './artillery-process.js';
import type { CheckResult } from './checks.js';
import { ensureValues } from './ensure-values.js';
import type { RunningService } from './service.js';

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The checks Artillery itself decided: ensure lines, expect counters and its exit code. */
export function artilleryChecks(
  exitCode: number | null,
  ensure: readonly { readonly ok: boolean; readonly expression: string; readonly optional: boolean }[],
  report: ArtilleryReport | undefined,
): CheckResult[] {
  const results: CheckResult[] = ensure.map((check) => {
    // The row shows the threshold and the measured value; `true`/`false` only when the expression is not one
    // comparison over metrics.
    const values = ensureValues(check.expression, report?.aggregate);
    const optional = check.optional ? ' (optional)' : '';
    return {
      kind: 'ensure',
      name: check.expression,
      expected: `${values?.expected ?? 'true'}${optional}`,
      actual: values?.actual ?? (check.ok ? 'true' : 'false'),
      passed: check.ok || check.optional,
    };
  });
  const counters = report?.aggregate.counters ?? {};
  const expectOk = counters['plugins.expect.ok'] ?? 0;
  const expectFailed = counters['plugins.expect.failed'] ?? 0;
  if (expectOk + expectFailed > 0) {
    const failedByType = Object.entries(counters)
      .filter(([name]) => name.startsWith('plugins.expect.failed.'))
      .map(([name, count]) => `${name.slice('plugins.expect.failed.'.length)}=${count}`);
    results.push({
      kind: 'expect',
      name: 'expect plugin: every response met its expectations',
      expected: '0 failed',
      actual: `${expectFailed} failed of ${expectOk + expectFailed}${failedByType.length > 0 ? ` (${failedByType.join(', ')})` : ''}`,
      passed: expectFailed === 0,
    });
  }
  results.push({
    kind: 'process',
    name: 'artillery exit code',
    expected: '0',
    actual: exitCode === null ? 'killed' : String(exitCode),
    passed: exitCode === 0,
  });
  if (report === undefined) {
    results.push({
      kind: 'process',
      name: 'artillery --output report',
      expected: 'written',
      actual: 'missing',
      passed: false,
    });
  }
  return results;
}

/** Artillery finished by itself, within its planned phases plus the margin (else the runner killed it). */
export function artilleryTimeoutCheck(timedOut: string | undefined, marginMs: number): CheckResult {
  return {
    kind: 'process',
    name: 'artillery finished in time',
    expected: `exits within ${marginMs / 1000} s of its last phase's planned end`,
    actual: timedOut ?? 'exited by itself',
    passed: timedOut === undefined,
  };
}

/** The service did not crash: still running, and `/healthz` answers 200. */
export async function serviceAliveCheck(service: RunningService): Promise<CheckResult> {
  const name = `${service.name} still running and healthy after the load`;
  if (service.process.hasExited()) {
    return { kind: 'process', name, expected: 'running, /healthz 200', actual: 'exited', passed: false };
  }
  try {
    const response = await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return {
      kind: 'process',
      name,
      expected: 'running, /healthz 200',
      actual: `running, /healthz ${response.status}`,
      passed: response.status === 200,
    };
  } catch (error) {
    return {
      kind: 'process',
      name,
      expected: 'running, /healthz 200',
      actual: describeError(error),
      passed: false,
    };
  }
}
