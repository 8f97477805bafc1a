import { describe, expect, it } from 'vitest';
import {
  type ArtilleryConsoleEvent,
  createArtilleryConsoleParser,
  non2xxShare,
} from './artillery-console.js';

const OUTPUT = `Test run id: tgc9z_5tqpfq5tbrtexdpc7jqcecwta7nb4_rp4g
Phase started: ramp-up (index: 0, duration: 3s) 11:45:46(+0000)

Phase completed: ramp-up (index: 0, duration: 3s) 11:45:49(+0000)

Phase started: steady (index: 1, duration: 10s) 11:45:49(+0000)

--------------------------------------
Metrics for period to: 11:45:50(+0000) (width: 2.934s)
--------------------------------------

errors.ETIMEDOUT: .............................................................. 2
http.codes.200: ................................................................ 83
http.codes.503: ................................................................ 15
http.request_rate: ............................................................. 34/sec
http.requests: ................................................................. 100
http.response_time:
  min: ......................................................................... 0
  median: ...................................................................... 7
  p95: ......................................................................... 82.3
  p99: ......................................................................... 111.1
http.response_time.2xx:
  p95: ......................................................................... 12
vusers.created: ................................................................ 50

All VUs finished. Total time: 16 seconds

Checks:
ok: vusers.failed == 0
fail: http.response_time.p95 < 50
fail: http.codes.500 == 0 (optional)
`;

function parseAll(text: string): ArtilleryConsoleEvent[] {
  const parser = createArtilleryConsoleParser();
  return [...text.split('\n').flatMap((line) => parser.push(line)), ...parser.end()];
}

describe('createArtilleryConsoleParser', () => {
  it('reports phase starts and completions with their index and planned duration', () => {
    const phases = parseAll(OUTPUT).filter((event) => event.type.startsWith('phase'));
    expect(phases).toEqual([
      { type: 'phase-started', name: 'ramp-up', index: 0, durationSec: 3 },
      { type: 'phase-completed', name: 'ramp-up', index: 0 },
      { type: 'phase-started', name: 'steady', index: 1, durationSec: 10 },
    ]);
  });

  it('reads an intermediate report as soon as its block ends', () => {
    const parser = createArtilleryConsoleParser();
    const lines = OUTPUT.split('\n');
    const end = lines.indexOf(
      'vusers.created: ................................................................ 50',
    );
    const before = lines.slice(0, end + 1).flatMap((line) => parser.push(line));
    expect(before.some((event) => event.type === 'intermediate')).toBe(false);

    const atBlankLine = parser.push('');
    expect(atBlankLine).toEqual([
      {
        type: 'intermediate',
        metrics: {
          requests: 100,
          codes: { '200': 83, '503': 15 },
          errors: { ETIMEDOUT: 2 },
          p95: 82.3,
          p99: 111.1,
        },
      },
    ]);
  });

  it('reads the ensure results after "Checks:", optional ones marked', () => {
    const checks = parseAll(OUTPUT).filter((event) => event.type === 'check');
    expect(checks).toEqual([
      { type: 'check', ok: true, expression: 'vusers.failed == 0', optional: false },
      { type: 'check', ok: false, expression: 'http.response_time.p95 < 50', optional: false },
      { type: 'check', ok: false, expression: 'http.codes.500 == 0', optional: true },
    ]);
  });

  it('ignores colour codes', () => {
    const parser = createArtilleryConsoleParser();
    expect(
      parser.push('Phase started: \u001b[32mpeak\u001b[39m (index: 2, duration: 20s) 12:00:00(+0000)'),
    ).toEqual([{ type: 'phase-started', name: 'peak', index: 2, durationSec: 20 }]);
  });
});

describe('non2xxShare', () => {
  it('is the share of requests without a 2xx answer', () => {
    expect(
      non2xxShare({ requests: 100, codes: { '200': 83, '201': 2, '503': 15 }, errors: {}, p95: 1, p99: 1 }),
    ).toBeCloseTo(0.15);
    expect(
      non2xxShare({ requests: 0, codes: {}, errors: {}, p95: undefined, p99: undefined }),
    ).toBeUndefined();
  });
});
