import { describe, expect, it } from 'vitest';
import { request } from '../test/helpers/records.js';
import { measureConcurrency, phaseAt, requestsByPhase, toPhaseWindows } from './phases.js';
import type { SessionRecord } from './request-log.js';

const phases = toPhaseWindows(
  [
    { index: 1, name: 'steady', durationSec: 10, at: 5_000 },
    { index: 0, name: 'ramp-up', durationSec: 5, at: 0 },
  ],
  20_000,
);

describe('toPhaseWindows', () => {
  it('orders phases and ends each where the next starts, the last at the end of the run', () => {
    expect(phases).toEqual([
      { index: 0, name: 'ramp-up', durationSec: 5, start: 0, end: 5_000, plannedEnd: 5_000 },
      { index: 1, name: 'steady', durationSec: 10, start: 5_000, end: 20_000, plannedEnd: 15_000 },
    ]);
  });
});

describe('requestsByPhase', () => {
  it('puts each request in the phase its start time falls in', () => {
    const grouped = requestsByPhase(phases, [
      request({ t: 100 }),
      request({ t: 5_000 }),
      request({ t: 19_000 }),
    ]);
    expect(grouped.get('ramp-up')?.map((r) => r.t)).toEqual([100]);
    expect(grouped.get('steady')?.map((r) => r.t)).toEqual([5_000, 19_000]);
    expect(phaseAt(phases, -5)?.name).toBe('ramp-up');
  });
});

describe('measureConcurrency', () => {
  const session = (event: 'start' | 'end', t: number, vu: string): SessionRecord => ({
    type: 'session',
    event,
    t,
    vu,
  });

  it('gives the time-weighted mean and the maximum of users in a session', () => {
    const sessions = [
      session('start', 0, 'a'),
      session('start', 0, 'b'),
      session('end', 5_000, 'a'),
      session('start', 6_000, 'c'),
      session('end', 10_000, 'b'),
    ];
    // 0-5 s: 2 users, 5-6 s: 1, 6-10 s: 2 -> (10 + 1 + 8) / 10
    expect(measureConcurrency(sessions, 0, 10_000)).toEqual({ mean: 1.9, max: 2 });
    // Users already in a session when the window opens count from its start.
    expect(measureConcurrency(sessions, 2_000, 4_000)).toEqual({ mean: 2, max: 2 });
  });
});
