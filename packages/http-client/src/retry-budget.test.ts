import { describe, expect, it } from 'vitest';
import { createRetryBudget } from './retry-budget.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createRetryBudget', () => {
  it('allows minRetriesPerWindow retries even with little traffic', () => {
    const c = clock();
    const budget = createRetryBudget({ ratio: 0.2, windowMs: 10_000, minRetriesPerWindow: 3 }, c.now);
    budget.recordCall();
    expect([1, 2, 3, 4].map(() => budget.tryAcquireRetry())).toEqual([true, true, true, false]);
  });

  it('allows ratio x calls retries when that is above the floor', () => {
    const c = clock();
    const budget = createRetryBudget({ ratio: 0.2, windowMs: 10_000, minRetriesPerWindow: 0 }, c.now);
    for (let i = 0; i < 50; i += 1) budget.recordCall();
    let granted = 0;
    while (budget.tryAcquireRetry()) granted += 1;
    expect(granted).toBe(10);
    expect(budget.snapshot()).toEqual({ calls: 50, retries: 10, allowedRetries: 10 });
  });

  it('recovers once the window has passed', () => {
    const c = clock();
    const budget = createRetryBudget({ ratio: 0, windowMs: 10_000, minRetriesPerWindow: 2 }, c.now);
    budget.recordCall();
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.tryAcquireRetry()).toBe(false);
    c.advance(5_000);
    expect(budget.tryAcquireRetry()).toBe(false);
    c.advance(5_000);
    expect(budget.tryAcquireRetry()).toBe(true);
    expect(budget.snapshot().retries).toBe(1);
  });

  it('forgets calls older than the window', () => {
    const c = clock();
    const budget = createRetryBudget({ ratio: 0.5, windowMs: 1_000, minRetriesPerWindow: 0 }, c.now);
    for (let i = 0; i < 10; i += 1) budget.recordCall();
    expect(budget.snapshot().allowedRetries).toBe(5);
    c.advance(1_000);
    expect(budget.snapshot()).toEqual({ calls: 0, retries: 0, allowedRetries: 0 });
    expect(budget.tryAcquireRetry()).toBe(false);
  });
});
