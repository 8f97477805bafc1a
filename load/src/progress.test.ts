import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryStream } from '../test/helpers/memory-stream.js';
import { createProgress } from './progress.js';

describe('createProgress', () => {
  it('prints scenario, phase, elapsed and the latest p95 / non-2xx share, one line each outside a terminal', () => {
    const stream = memoryStream();
    let now = 0;
    const progress = createProgress({ stream, now: () => now, intervalMs: 60_000 });
    progress.scenarioStarted('baseline', 1, 6);
    now = 2_000;
    progress.intermediate({ requests: 200, codes: { '200': 196, '503': 4 }, errors: {}, p95: 12.5, p99: 40 });
    progress.phaseStarted({ index: 1, name: 'steady', durationSec: 120 });
    now = 65_000;
    progress.note('mock-api down');
    progress.scenarioFinished();
    progress.close();

    expect(stream.text().split('\n')).toEqual([
      '== baseline (1/6)',
      '[1/6 baseline] | phase 2 steady 00:00/02:00 | elapsed 00:02 | p95 12.5 ms | p99 40 ms | non-2xx 2.0 % | 200 req/10s',
      '   mock-api down',
      '',
    ]);
  });
});

describe('createProgress past a phase’s length', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never shows more elapsed than the phase is long: it says the phase is finishing and by how much', () => {
    vi.useFakeTimers();
    const stream = memoryStream();
    let now = 0;
    const progress = createProgress({ stream, now: () => now, intervalMs: 1_000 });
    progress.scenarioStarted('spike', 6, 6);
    progress.phaseStarted({ index: 2, name: 'cool-down', durationSec: 8 });
    for (const at of [8_000, 8_999, 10_400]) {
      now = at;
      vi.advanceTimersByTime(1_000);
    }
    progress.close();
    const status = stream
      .text()
      .split('\n')
      .filter((line) => line.startsWith('[6/6 spike]'));
    expect(status).toEqual([
      '[6/6 spike] | phase 3 cool-down 00:00/00:08 | elapsed 00:00',
      '[6/6 spike] | phase 3 cool-down 00:08/00:08 | elapsed 00:08',
      '[6/6 spike] | phase 3 cool-down 00:08/00:08 | elapsed 00:08',
      '[6/6 spike] | phase 3 cool-down 00:08/00:08 finishing (+2 s) | elapsed 00:10',
    ]);
  });
});

describe('createProgress options', () => {
  it('refuses an interval that is not a positive number of ms', () => {
    expect(() => createProgress({ stream: memoryStream(), intervalMs: 0 })).toThrow(TypeError);
  });
});
