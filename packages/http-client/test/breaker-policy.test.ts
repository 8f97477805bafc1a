import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callWithProtection, createProtection, isCircuitOpenError, type Protection } from '../src/index.js';
import { useFakeTime } from './helpers/fake-time.js';
import { captureLogs } from './helpers/logs.js';

class Down extends Error {
  code = 'ECONNREFUSED';
}

async function outcome(protection: Protection, fail: boolean): Promise<'ok' | 'failed' | 'refused'> {
  try {
    await callWithProtection(
      async () => {
        if (fail) throw new Down('down');
        return 'ok';
      },
      { key: 'db', protection },
    );
    return 'ok';
  } catch (error) {
    return isCircuitOpenError(error) ? 'refused' : 'failed';
  }
}

describe('breaker policy options', () => {
  let protection: Protection | undefined;
  beforeEach(() => {
    useFakeTime();
  });
  afterEach(() => {
    protection?.close();
    vi.useRealTimers();
  });

  it("policy 'failure-rate' stays closed at 40 % failures where 'consecutive' with threshold 2 opens", async () => {
    const pattern = [false, false, false, true, true, false, false, false, true, true];
    const run = async (breaker: object): Promise<string[]> => {
      protection = createProtection({ retry: { retries: 0 }, breaker, logger: captureLogs().logger });
      const seen: string[] = [];
      for (const fail of pattern) seen.push(await outcome(protection, fail));
      protection.close();
      return seen;
    };
    expect(await run({ failureThreshold: 2 })).toContain('refused');
    expect(
      await run({ policy: 'failure-rate', slidingWindowSize: 10, minimumNumberOfCalls: 5 }),
    ).not.toContain('refused');
  });

  it('rejects an unknown breaker option, and passes policy options to the breakers, which validate them', () => {
    expect(() => createProtection({ breaker: { policy: 'rate' as never } })).toThrow(
      "options.policy must be 'consecutive' or 'failure-rate'",
    );
    expect(() => createProtection({ breaker: { halfOpenProbs: 2 } as never })).toThrow(/halfOpenProbs/);
  });
});
