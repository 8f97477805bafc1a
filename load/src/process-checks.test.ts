import { describe, expect, it } from 'vitest';
import { artilleryTimeoutCheck } from './process-checks.js';

describe('artilleryTimeoutCheck', () => {
  it('fails the scenario, saying why, when Artillery was killed for running too long', () => {
    const reason = 'timed out: no exit 60 s after phase spike (10 s) should have ended; killed';
    expect(artilleryTimeoutCheck(reason, 60_000)).toEqual({
      kind: 'process',
      name: 'artillery finished in time',
      expected: "exits within 60 s of its last phase's planned end",
      actual: reason,
      passed: false,
    });
  });

  it('passes when Artillery exited by itself', () => {
    expect(artilleryTimeoutCheck(undefined, 60_000)).toMatchObject({
      actual: 'exited by itself',
      passed: true,
    });
  });
});
