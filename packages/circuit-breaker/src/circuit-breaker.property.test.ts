import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { isCircuitOpenError } from './errors/circuit-open-error.js';
import type { CircuitState } from './types.js';

/**
 * Model-based test: random sequences of calls (success, counted failure, error that is not a
 * failure but a sign of life, ignored error) and clock advances, run one call at a time against the real breaker and against a
 * ten-line reference model of the specification. After every step both must agree on the
 * state, the failure count, whether fn ran, and the retryAfterMs of a rejection.
 */

type Outcome = 'success' | 'failure' | 'alive' | 'ignored';
type Step = { kind: Outcome } | { kind: 'advance'; ms: number };

const THRESHOLD = 3;
const RESET_MS = 1000;

class Model {
  state: CircuitState = 'CLOSED';
  failures = 0;
  openedAt = 0;
  now = 0;

  advance(ms: number): void {
    this.now += ms;
    if (this.state === 'OPEN' && this.now - this.openedAt >= RESET_MS) this.state = 'HALF_OPEN';
  }

  /** Returns whether fn runs, or the retryAfterMs of the rejection. */
  call(outcome: Outcome): { ran: true } | { ran: false; retryAfterMs: number } {
    if (this.state === 'OPEN') return { ran: false, retryAfterMs: this.openedAt + RESET_MS - this.now };
    const trial = this.state === 'HALF_OPEN';
    if (outcome === 'failure') {
      this.failures += 1;
      if (trial || this.failures >= THRESHOLD) {
        this.state = 'OPEN';
        this.openedAt = this.now;
      }
    } else if (outcome === 'ignored') {
      // Neutral: the count stays and a half-open breaker stays half-open (the next call is the trial).
    } else {
      this.failures = 0;
      this.state = 'CLOSED';
    }
    return { ran: true };
  }
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'success' } as const) },
  { weight: 5, arbitrary: fc.constant({ kind: 'failure' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'alive' } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: 'ignored' } as const) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.integer({ min: 1, max: 1500 }), fc.constantFrom(RESET_MS - 1, RESET_MS))
      .map((ms) => ({ kind: 'advance', ms }) as const),
  },
);

class Alive extends Error {}
class Ignored extends Error {}

describe('createCircuitBreaker (model-based)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('agrees with the reference model on every sequence of outcomes and clock advances', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 60 }), async (steps) => {
        vi.setSystemTime(0);
        const model = new Model();
        const breaker = createCircuitBreaker({
          failureThreshold: THRESHOLD,
          resetTimeoutMs: RESET_MS,
          isFailure: (error) => !(error instanceof Alive),
          isIgnored: (error) => error instanceof Ignored,
        });
        try {
          for (const step of steps) {
            if (step.kind === 'advance') {
              vi.advanceTimersByTime(step.ms);
              model.advance(step.ms);
            } else {
              const expected = model.call(step.kind);
              const fn = vi.fn(() => {
                if (step.kind === 'success') return Promise.resolve('ok');
                if (step.kind === 'failure') return Promise.reject(new Error('boom'));
                return Promise.reject(step.kind === 'alive' ? new Alive() : new Ignored());
              });
              const result = await breaker.execute(fn).then(
                () => undefined,
                (error: unknown) => error,
              );
              expect(fn.mock.calls.length === 1).toBe(expected.ran);
              if (!expected.ran) {
                expect(isCircuitOpenError(result)).toBe(true);
                expect((result as { retryAfterMs: number }).retryAfterMs).toBe(expected.retryAfterMs);
              }
            }
            expect(breaker.state).toBe(model.state);
            expect(breaker.stats().consecutiveFailures).toBe(model.failures);
          }
        } finally {
          breaker.shutdown();
        }
        expect(vi.getTimerCount()).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
