import type { CheckResult } from '../checks.js';
import type { AlertInterval } from './alert-timeline.js';

/** A moment of the run an alert is timed against: the start of a phase, or the change its action made. */
export interface AlertDeadline {
  /** Seconds after the moment. */
  readonly sec: number;
  /** The phase whose start marks the moment (the moment its action was applied, when it has one). */
  readonly of: string;
}

/**
 * What a scenario expects of Prometheus' alerts (with `--prometheus`), from the repository's rules:
 * - `fires`: the alert fires during the run; with `within`, first within `sec` seconds of the moment and not
 *   before it;
 * - `resolves`: every firing of the alert has ended within `sec` seconds of the moment, and it does not fire
 *   again until the end;
 * - `none-fire`: no alert fires at all (pending ones are shown, not counted).
 */
export type AlertExpectation =
  | { readonly type: 'fires'; readonly alert: string; readonly within?: AlertDeadline }
  | { readonly type: 'resolves'; readonly alert: string; readonly within: AlertDeadline }
  | { readonly type: 'none-fire' };

/** A moment of the run, epoch ms, with what happened then (`mock-api down`). */
export interface RunMoment {
  readonly at: number;
  readonly what: string;
}

export interface AlertCheckInput {
  readonly timeline: readonly AlertInterval[];
  /** By phase name: when it started, or when its action was applied. */
  readonly moments: ReadonlyMap<string, RunMoment>;
  /** Epoch ms shown as t=0 (the start of the first phase, as in the rest of the report). */
  readonly reference: number;
  /** The last rule evaluation the timeline includes, epoch ms. */
  readonly observedUntil: number;
  /**
   * How much earlier than a moment an alert caused by it may be stamped: Prometheus stamps a sample with its
   * scrape's start and an alert with its evaluation slot, so a state read just after the moment can carry a
   * time up to one scrape timeout before it. @default 0
   */
  readonly earlyToleranceMs?: number;
}

/** A check, and whether more evaluations could still change it (a deadline not yet reached). */
export interface AlertCheckOutcome {
  readonly check: CheckResult;
  readonly decided: boolean;
}

const at = (ms: number, input: AlertCheckInput): string =>
  `t=${((ms - input.reference) / 1000).toFixed(1)} s`;
const after = (ms: number, moment: RunMoment): string =>
  ms >= moment.at
    ? `${((ms - moment.at) / 1000).toFixed(1)} s after`
    : `${((moment.at - ms) / 1000).toFixed(1)} s before`;

function firings(input: AlertCheckInput, alert: string): AlertInterval[] {
  return input.timeline.filter((interval) => interval.alert === alert && interval.state === 'firing');
}

function momentName(deadline: AlertDeadline, moment: RunMoment | undefined): string {
  return moment === undefined ? deadline.of : `${deadline.of} (${moment.what})`;
}

function firesWithin(alert: string, deadline: AlertDeadline, input: AlertCheckInput): AlertCheckOutcome {
  const moment = input.moments.get(deadline.of);
  const name = `${alert} fires within ${deadline.sec} s of ${momentName(deadline, moment)}`;
  const expected = `fires 0-${deadline.sec} s after it, not before`;
  if (moment === undefined) {
    return {
      decided: true,
      check: { kind: 'alert', name, expected, actual: `phase ${deadline.of} did not run`, passed: false },
    };
  }
  const all = firings(input, alert);
  const before = all.find((interval) => interval.from < moment.at - (input.earlyToleranceMs ?? 0));
  if (before !== undefined) {
    return {
      decided: true,
      check: {
        kind: 'alert',
        name,
        expected,
        actual: `already firing at ${at(before.from, input)}, before it (${at(moment.at, input)})`,
        passed: false,
      },
    };
  }
  const first = all[0];
  const limit = moment.at + deadline.sec * 1000;
  if (first === undefined) {
    return {
      decided: input.observedUntil >= limit,
      check: {
        kind: 'alert',
        name,
        expected,
        actual: `not firing by ${at(input.observedUntil, input)} (${after(input.observedUntil, moment)} ${at(moment.at, input)})`,
        passed: false,
      },
    };
  }
  return {
    decided: true,
    check: {
      kind: 'alert',
      name,
      expected,
      actual: `firing at ${at(first.from, input)}, ${after(first.from, moment)} ${at(moment.at, input)}`,
      passed: first.from <= limit,
    },
  };
}

function resolvesWithin(alert: string, deadline: AlertDeadline, input: AlertCheckInput): AlertCheckOutcome {
  const moment = input.moments.get(deadline.of);
  const name = `${alert} resolved within ${deadline.sec} s of ${momentName(deadline, moment)}`;
  const expected = `resolved <= ${deadline.sec} s after it, not firing again`;
  if (moment === undefined) {
    return {
      decided: true,
      check: { kind: 'alert', name, expected, actual: `phase ${deadline.of} did not run`, passed: false },
    };
  }
  const all = firings(input, alert);
  const open = all.find((interval) => interval.until === undefined);
  const limit = moment.at + deadline.sec * 1000;
  if (open !== undefined) {
    return {
      decided: input.observedUntil >= limit,
      check: {
        kind: 'alert',
        name,
        expected,
        actual: `still firing at ${at(input.observedUntil, input)} (${after(input.observedUntil, moment)} ${at(moment.at, input)})`,
        passed: false,
      },
    };
  }
  const last = all.reduce((latest, interval) => Math.max(latest, interval.until ?? 0), 0);
  if (all.length === 0) {
    return { decided: true, check: { kind: 'alert', name, expected, actual: 'never fired', passed: true } };
  }
  return {
    decided: true,
    check: {
      kind: 'alert',
      name,
      expected,
      actual:
        last <= moment.at
          ? `resolved at ${at(last, input)}, before it (${at(moment.at, input)})`
          : `resolved at ${at(last, input)}, ${after(last, moment)} ${at(moment.at, input)}`,
      passed: last <= limit,
    },
  };
}

function fires(alert: string, input: AlertCheckInput): AlertCheckOutcome {
  const first = firings(input, alert)[0];
  const pending = input.timeline.find((interval) => interval.alert === alert && interval.state === 'pending');
  return {
    decided: true,
    check: {
      kind: 'alert',
      name: `${alert} fires`,
      expected: 'firing during the run',
      actual:
        first !== undefined
          ? `firing at ${at(first.from, input)}`
          : pending !== undefined
            ? `only pending (from ${at(pending.from, input)})`
            : `never pending or firing (until ${at(input.observedUntil, input)})`,
      passed: first !== undefined,
    },
  };
}

function noneFire(input: AlertCheckInput): AlertCheckOutcome {
  const fired = input.timeline.filter((interval) => interval.state === 'firing');
  const pending = input.timeline.filter((interval) => interval.state === 'pending');
  const list = (intervals: readonly AlertInterval[]) =>
    intervals.map((interval) => `${interval.alert} at ${at(interval.from, input)}`).join(', ');
  return {
    decided: true,
    check: {
      kind: 'alert',
      name: 'no alert fires',
      expected: 'none firing',
      actual:
        fired.length > 0
          ? `firing: ${list(fired)}`
          : `none${pending.length > 0 ? ` (pending only: ${list(pending)})` : ''} until ${at(input.observedUntil, input)}`,
      passed: fired.length === 0,
    },
  };
}

/** Evaluates one expectation on the alerts timeline. */
export function evaluateAlertExpectation(
  expectation: AlertExpectation,
  input: AlertCheckInput,
): AlertCheckOutcome {
  switch (expectation.type) {
    case 'fires':
      return expectation.within === undefined
        ? fires(expectation.alert, input)
        : firesWithin(expectation.alert, expectation.within, input);
    case 'resolves':
      return resolvesWithin(expectation.alert, expectation.within, input);
    case 'none-fire':
      return noneFire(input);
  }
}

/** The alert names an expectation needs the rules to define. */
export function expectedAlertNames(expectations: readonly AlertExpectation[]): string[] {
  return [
    ...new Set(expectations.flatMap((expectation) => ('alert' in expectation ? [expectation.alert] : []))),
  ];
}

/**
 * The moments alerts are timed against, by phase name: when its action was applied (the fault API answered;
 * `actions` times are seconds after `reference`), else when the phase started.
 */
export function runMoments(
  phases: readonly { readonly name: string; readonly start: number }[],
  actions: readonly { readonly phase: string; readonly at: number; readonly description: string }[],
  reference: number,
): Map<string, RunMoment> {
  const moments = new Map<string, RunMoment>();
  for (const phase of phases) {
    const action = actions.find((candidate) => candidate.phase === phase.name);
    moments.set(
      phase.name,
      action === undefined
        ? { at: phase.start, what: 'phase start' }
        : { at: reference + Math.round(action.at * 1000), what: action.description },
    );
  }
  return moments;
}
