import { describe, expect, it } from 'vitest';
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

describe('createProgress options', () => {
  it('refuses an interval that is not a positive number of ms', () => {
    expect(() => createProgress({ stream: memoryStream(), intervalMs: 0 })).toThrow(TypeError);
  });
});
