import { describe, expect, it } from 'vitest';
import type { PhaseWindow } from '../phases.js';
import type { RequestRecord } from '../request-log.js';
import type { ScenarioOutcome } from '../scenario-definition.js';
import { is2xx } from '../traffic-stats.js';
import { overloadChecks, perSecondTable } from './overload.js';

const record = (t: number, status: number, ms: number, name = 'catalog-item'): RequestRecord => ({
  type: 'request',
  t,
  ms,
  name,
  method: name === 'checkout' ? 'POST' : 'GET',
  status,
  vu: `vu-${t}`,
});

function outcome(half: RequestRecord[], overload: RequestRecord[]): ScenarioOutcome {
  const phases: PhaseWindow[] = [
    { index: 0, name: 'half', durationSec: 1, start: 0, end: 1000, plannedEnd: 1000 },
    { index: 1, name: 'overload', durationSec: 1, start: 1000, end: 2000, plannedEnd: 2000 },
  ];
  return {
    log: { requests: [...half, ...overload], sessions: [], skippedLines: 0 },
    phases,
    byPhase: new Map([
      ['half', half],
      ['overload', overload],
    ]),
    isSuccess: is2xx,
  };
}

const byName = (checks: ReturnType<typeof overloadChecks>, start: string) =>
  checks.find((check) => check.name.startsWith(start));

describe('overloadChecks', () => {
  const half = Array.from({ length: 10 }, (_, i) => record(i * 100, 200, 10));

  it('passes when admitted p99 stays within 2x, goodput >= 90 % of capacity, checkouts succeed and some are shed', () => {
    const over = [
      ...Array.from({ length: 9 }, (_, i) => record(1000 + i, 200, 20)),
      record(1500, 201, 20, 'checkout'),
      record(1600, 503, 1),
    ];
    const checks = overloadChecks(outcome(half, over), 10);
    expect(checks.every((check) => check.passed)).toBe(true);
  });

  it('fails the latency bound when admitted p99 exceeds 2x the half-capacity p99', () => {
    const over = [record(1000, 200, 21), record(1100, 503, 1)];
    expect(byName(overloadChecks(outcome(half, over), 1), 'p99')?.passed).toBe(false);
  });

  it('fails goodput under 90 % of capacity and checkout success under 99 %', () => {
    const over = [record(1000, 200, 10), record(1100, 503, 1, 'checkout')];
    const checks = overloadChecks(outcome(half, over), 10);
    expect(byName(checks, 'goodput')?.passed).toBe(false);
    expect(byName(checks, 'checkout')?.passed).toBe(false);
  });
});

describe('perSecondTable', () => {
  it('counts admitted and shed per second beside the sampled limit', () => {
    const lines = perSecondTable(
      [record(100, 200, 5), record(200, 503, 1), record(1100, 200, 7)],
      [{ at: 150, limit: 12, inFlight: 3 }],
      0,
    );
    expect(lines.slice(1)).toEqual(['0 | 1 | 1 | 0 | 5.0 | 12 | 3', '1 | 1 | 0 | 0 | 7.0 | - | -']);
  });
});
