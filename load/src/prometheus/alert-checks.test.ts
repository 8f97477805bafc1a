import { describe, expect, it } from 'vitest';
import {
  type AlertCheckInput,
  evaluateAlertExpectation,
  expectedAlertNames,
  runMoments,
} from './alert-checks.js';
import type { AlertInterval } from './alert-timeline.js';

/** t=0 of the report. */
const T0 = 1_000_000;
const down = { at: T0 + 4_000, what: 'mock-api down' };
const back = { at: T0 + 11_000, what: 'mock-api back' };

function firing(alert: string, from: number, until: number | undefined): AlertInterval {
  return {
    alert,
    labels: { job: 'consumer' },
    state: 'firing',
    from,
    lastSeen: (until ?? from + 1000) - 1000,
    until,
  };
}

function input(timeline: AlertInterval[], observedUntil = T0 + 60_000): AlertCheckInput {
  return {
    timeline,
    moments: new Map([
      ['outage-onset', down],
      ['recovery', back],
    ]),
    reference: T0,
    observedUntil,
  };
}

const firesWithin30 = {
  type: 'fires',
  alert: 'CircuitBreakerOpen',
  within: { sec: 30, of: 'outage-onset' },
} as const;
const resolvesWithin30 = {
  type: 'resolves',
  alert: 'CircuitBreakerOpen',
  within: { sec: 30, of: 'recovery' },
} as const;

describe('fires within 30 s of a moment', () => {
  it('passes when the alert first fires 30 s after the moment at the latest', () => {
    const outcome = evaluateAlertExpectation(
      firesWithin30,
      input([firing('CircuitBreakerOpen', down.at + 30_000, undefined)]),
    );
    expect(outcome).toEqual({
      decided: true,
      check: {
        kind: 'alert',
        name: 'CircuitBreakerOpen fires within 30 s of outage-onset (mock-api down)',
        expected: 'fires 0-30 s after it, not before',
        actual: 'firing at t=34.0 s, 30.0 s after t=4.0 s',
        passed: true,
      },
    });
  });

  it('fails 1 ms later', () => {
    const outcome = evaluateAlertExpectation(
      firesWithin30,
      input([firing('CircuitBreakerOpen', down.at + 30_001, undefined)]),
    );
    expect(outcome.check.passed).toBe(false);
    expect(outcome.decided).toBe(true);
  });

  it('fails when the alert already fired before the moment', () => {
    const outcome = evaluateAlertExpectation(
      firesWithin30,
      input([
        firing('CircuitBreakerOpen', down.at - 1, down.at + 500),
        firing('CircuitBreakerOpen', down.at + 1000, undefined),
      ]),
    );
    expect(outcome.check).toMatchObject({
      passed: false,
      actual: 'already firing at t=4.0 s, before it (t=4.0 s)',
    });
  });

  it('takes an alert stamped up to the early tolerance before the moment as caused by it', () => {
    const stampedEarly = [firing('CircuitBreakerOpen', down.at - 1000, undefined)];
    expect(
      evaluateAlertExpectation(firesWithin30, { ...input(stampedEarly), earlyToleranceMs: 1000 }).check,
    ).toMatchObject({ passed: true, actual: 'firing at t=3.0 s, 1.0 s before t=4.0 s' });
    const tooEarly = [firing('CircuitBreakerOpen', down.at - 1001, undefined)];
    expect(
      evaluateAlertExpectation(firesWithin30, { ...input(tooEarly), earlyToleranceMs: 1000 }).check,
    ).toMatchObject({ passed: false, actual: 'already firing at t=3.0 s, before it (t=4.0 s)' });
  });

  it('is undecided while the deadline has not been evaluated yet, and fails once it has', () => {
    const early = evaluateAlertExpectation(
      firesWithin30,
      input([firing('UpstreamRetriesHigh', down.at, undefined)], down.at + 29_999),
    );
    expect(early).toEqual({
      decided: false,
      check: expect.objectContaining({
        passed: false,
        actual: 'not firing by t=34.0 s (30.0 s after t=4.0 s)',
      }),
    });
    const late = evaluateAlertExpectation(firesWithin30, input([], down.at + 30_000));
    expect(late.decided).toBe(true);
    expect(late.check.passed).toBe(false);
  });

  it('fails when the phase that marks the moment did not run', () => {
    const outcome = evaluateAlertExpectation(
      { ...firesWithin30, within: { sec: 30, of: 'nope' } },
      input([]),
    );
    expect(outcome.check).toMatchObject({
      passed: false,
      actual: 'phase nope did not run',
      name: 'CircuitBreakerOpen fires within 30 s of nope',
    });
  });
});

describe('resolved within 30 s of a moment', () => {
  it('passes when every firing ended 30 s after the moment at the latest', () => {
    const outcome = evaluateAlertExpectation(
      resolvesWithin30,
      input([
        firing('CircuitBreakerOpen', down.at + 1200, back.at + 4_200),
        firing('CircuitBreakerOpen', back.at + 5000, back.at + 30_000),
      ]),
    );
    expect(outcome).toEqual({
      decided: true,
      check: {
        kind: 'alert',
        name: 'CircuitBreakerOpen resolved within 30 s of recovery (mock-api back)',
        expected: 'resolved <= 30 s after it, not firing again',
        actual: 'resolved at t=41.0 s, 30.0 s after t=11.0 s',
        passed: true,
      },
    });
  });

  it('fails when the last firing ended 1 ms too late', () => {
    const outcome = evaluateAlertExpectation(
      resolvesWithin30,
      input([firing('CircuitBreakerOpen', down.at + 1200, back.at + 30_001)]),
    );
    expect(outcome.check.passed).toBe(false);
  });

  it('is undecided while still firing before the deadline, and fails once the deadline is evaluated', () => {
    const timeline = [firing('CircuitBreakerOpen', down.at + 1200, undefined)];
    expect(evaluateAlertExpectation(resolvesWithin30, input(timeline, back.at + 29_999)).decided).toBe(false);
    const late = evaluateAlertExpectation(resolvesWithin30, input(timeline, back.at + 30_000));
    expect(late).toEqual({
      decided: true,
      check: expect.objectContaining({
        passed: false,
        actual: 'still firing at t=41.0 s (30.0 s after t=11.0 s)',
      }),
    });
  });

  it('passes, saying so, when the alert resolved before the moment or never fired', () => {
    expect(
      evaluateAlertExpectation(
        resolvesWithin30,
        input([firing('CircuitBreakerOpen', down.at, back.at - 1000)]),
      ).check,
    ).toMatchObject({ passed: true, actual: 'resolved at t=10.0 s, before it (t=11.0 s)' });
    expect(evaluateAlertExpectation(resolvesWithin30, input([])).check).toMatchObject({
      passed: true,
      actual: 'never fired',
    });
  });
});

describe('fires, and no alert fires', () => {
  it('fires: passes on any firing, fails when only pending', () => {
    const expectation = { type: 'fires', alert: 'RateLimitRejectionsHigh' } as const;
    expect(
      evaluateAlertExpectation(expectation, input([firing('RateLimitRejectionsHigh', T0 + 2500, undefined)]))
        .check,
    ).toEqual({
      kind: 'alert',
      name: 'RateLimitRejectionsHigh fires',
      expected: 'firing during the run',
      actual: 'firing at t=2.5 s',
      passed: true,
    });
    const pending: AlertInterval = {
      ...firing('RateLimitRejectionsHigh', T0 + 1000, T0 + 2000),
      state: 'pending',
    };
    expect(evaluateAlertExpectation(expectation, input([pending])).check).toMatchObject({
      passed: false,
      actual: 'only pending (from t=1.0 s)',
    });
    expect(evaluateAlertExpectation(expectation, input([], T0 + 9000)).check).toMatchObject({
      passed: false,
      actual: 'never pending or firing (until t=9.0 s)',
    });
  });

  it('none-fire: passes with only pending alerts, fails on any firing one', () => {
    const pending: AlertInterval = { ...firing('ServiceDown', T0 + 1000, T0 + 3000), state: 'pending' };
    expect(evaluateAlertExpectation({ type: 'none-fire' }, input([pending], T0 + 9000)).check).toEqual({
      kind: 'alert',
      name: 'no alert fires',
      expected: 'none firing',
      actual: 'none (pending only: ServiceDown at t=1.0 s) until t=9.0 s',
      passed: true,
    });
    expect(
      evaluateAlertExpectation(
        { type: 'none-fire' },
        input([pending, firing('LatencyP95High', T0 + 7000, undefined)]),
      ).check,
    ).toMatchObject({ passed: false, actual: 'firing: LatencyP95High at t=7.0 s' });
  });

  it('names the alerts the expectations need', () => {
    expect(expectedAlertNames([firesWithin30, resolvesWithin30, { type: 'none-fire' }])).toEqual([
      'CircuitBreakerOpen',
    ]);
  });
});

describe('runMoments', () => {
  it('times a phase by its action when it has one (seconds after t=0), else by its start', () => {
    const moments = runMoments(
      [
        { name: 'healthy', start: T0 },
        { name: 'outage-onset', start: T0 + 4000 },
      ],
      [{ phase: 'outage-onset', at: 4.012, description: 'mock-api down' }],
      T0,
    );
    expect([...moments]).toEqual([
      ['healthy', { at: T0, what: 'phase start' }],
      ['outage-onset', { at: T0 + 4012, what: 'mock-api down' }],
    ]);
  });
});
