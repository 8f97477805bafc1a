import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { CircuitOpenError } from './errors/circuit-open-error.js';
import type { CircuitBreakerPolicy } from './options.js';
import type { BreakerPermit, CircuitState } from './types.js';

/**
 * Model-based test of the permit API under both policies, slow-call counting, `halfOpenProbes` and
 * `successThreshold`: random configurations and random sequences of acquire / settle-a-held-permit / clock
 * steps, against a reference model written from the README's specification. Permits are held across steps,
 * so several trials run at once and late outcomes (admitted CLOSED, settled HALF_OPEN or OPEN) happen.
 */

interface Config {
  policy: CircuitBreakerPolicy;
  failureThreshold: number;
  failureRateThreshold: number;
  slidingWindowSize: number;
  minimumNumberOfCalls: number;
  slowCallDurationMs: number | undefined;
  halfOpenProbes: number;
  successThreshold: number;
}

type Report = 'success' | 'failure' | 'ignore';
type Step =
  | { kind: 'acquire' }
  | { kind: 'settle'; pick: number; report: Report }
  | { kind: 'advance'; ms: number };

const RESET_MS = 1000;

interface ModelPermit {
  trialOf: number;
  startedAt: number;
}

class Model {
  state: CircuitState = 'CLOSED';
  consecutive = 0;
  window: boolean[] = [];
  openedAt = 0;
  now = 0;
  period = 0;
  trials = 0;
  halfOpenSuccesses = 0;
  slowCalls = 0;

  constructor(readonly config: Config) {}

  advance(ms: number): void {
    this.now += ms;
    if (this.state === 'OPEN' && this.now - this.openedAt >= RESET_MS) {
      this.state = 'HALF_OPEN';
      this.period += 1;
      this.trials = 0;
      this.halfOpenSuccesses = 0;
    }
  }

  acquire(): ModelPermit | { reason: string; retryAfterMs: number } {
    if (this.state === 'OPEN') return { reason: 'open', retryAfterMs: this.openedAt + RESET_MS - this.now };
    if (this.state === 'HALF_OPEN') {
      if (this.trials >= this.config.halfOpenProbes) return { reason: 'trial_in_flight', retryAfterMs: 0 };
      this.trials += 1;
      return { trialOf: this.period, startedAt: this.now };
    }
    return { trialOf: -1, startedAt: this.now };
  }

  settle(permit: ModelPermit, report: Report): void {
    if (permit.trialOf !== -1 && permit.trialOf === this.period) this.trials -= 1;
    if (report === 'ignore') return;
    const slowMs = this.config.slowCallDurationMs;
    const slow = report === 'success' && slowMs !== undefined && this.now - permit.startedAt >= slowMs;
    if (report === 'success' && !slow) {
      this.consecutive = 0;
      if (this.state === 'CLOSED') this.record(false);
      if (this.state === 'HALF_OPEN') {
        this.halfOpenSuccesses += 1;
        if (this.halfOpenSuccesses >= this.config.successThreshold) {
          this.state = 'CLOSED';
          this.consecutive = 0;
          this.window = [];
        }
      }
      return;
    }
    if (slow) this.slowCalls += 1;
    this.consecutive += 1;
    if (this.state === 'CLOSED') this.record(true);
    if (this.state === 'HALF_OPEN' || (this.state === 'CLOSED' && this.tripped())) {
      this.state = 'OPEN';
      this.openedAt = this.now;
    }
  }

  record(failed: boolean): void {
    if (this.config.policy !== 'failure-rate') return;
    this.window.push(failed);
    if (this.window.length > this.config.slidingWindowSize) this.window.shift();
  }

  tripped(): boolean {
    if (this.config.policy === 'consecutive') return this.consecutive >= this.config.failureThreshold;
    const failures = this.window.filter(Boolean).length;
    return (
      this.window.length >= this.config.minimumNumberOfCalls &&
      (failures / this.window.length) * 100 >= this.config.failureRateThreshold
    );
  }
}

const configArb: fc.Arbitrary<Config> = fc
  .record({
    policy: fc.constantFrom<CircuitBreakerPolicy>('consecutive', 'failure-rate'),
    failureThreshold: fc.integer({ min: 1, max: 4 }),
    failureRateThreshold: fc.constantFrom(25, 50, 60, 100),
    slidingWindowSize: fc.integer({ min: 1, max: 8 }),
    minimumFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    slowCallDurationMs: fc.option(fc.constantFrom(100, 250, 400), { nil: undefined }),
    halfOpenProbes: fc.integer({ min: 1, max: 3 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ minimumFraction, ...rest }) => ({
    ...rest,
    minimumNumberOfCalls: Math.max(1, Math.ceil(minimumFraction * rest.slidingWindowSize)),
  }));

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'acquire' } as const) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat({ max: 7 }),
      report: fc.constantFrom<Report>('success', 'failure', 'failure', 'ignore'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.integer({ min: 1, max: 600 }), fc.constantFrom(RESET_MS - 1, RESET_MS, 99, 100, 250, 400))
      .map((ms) => ({ kind: 'advance', ms }) as const),
  },
);

describe('createCircuitBreaker policies and probes (model-based)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('agrees with the reference model on random configurations, permits and clock steps', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(stepArb, { maxLength: 80 }), async (config, steps) => {
        vi.setSystemTime(0);
        const model = new Model(config);
        const breaker = createCircuitBreaker({ ...config, resetTimeoutMs: RESET_MS });
        const held: { real: BreakerPermit; model: ModelPermit }[] = [];
        try {
          for (const step of steps) {
            if (step.kind === 'advance') {
              vi.advanceTimersByTime(step.ms);
              model.advance(step.ms);
            } else if (step.kind === 'acquire') {
              const expected = model.acquire();
              const real = breaker.tryAcquire();
              if ('reason' in expected) {
                expect(real).toBeInstanceOf(CircuitOpenError);
                expect(real).toMatchObject(expected);
              } else {
                expect(real).not.toBeInstanceOf(CircuitOpenError);
                const permit = real as BreakerPermit;
                expect(permit.trial).toBe(expected.trialOf !== -1);
                held.push({ real: permit, model: expected });
              }
            } else if (held.length > 0) {
              const [entry] = held.splice(step.pick % held.length, 1);
              if (entry === undefined) throw new Error('unreachable');
              model.settle(entry.model, step.report);
              if (step.report === 'success') entry.real.success();
              else if (step.report === 'failure') entry.real.failure(new Error('boom'));
              else entry.real.ignore();
              expect(entry.real.settled).toBe(true);
            }
            expect(breaker.state).toBe(model.state);
            const stats = breaker.stats();
            expect(stats.consecutiveFailures).toBe(model.consecutive);
            expect(stats.inFlight).toBe(held.length);
            expect(stats.slowCalls).toBe(model.slowCalls);
            if (config.policy === 'failure-rate') {
              expect(stats.windowCalls).toBe(model.window.length);
              expect(stats.windowFailures).toBe(model.window.filter(Boolean).length);
            }
          }
        } finally {
          breaker.shutdown();
        }
        expect(vi.getTimerCount()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
