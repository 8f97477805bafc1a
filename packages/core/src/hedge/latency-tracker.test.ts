import { describe, expect, it } from 'vitest';
import { createLatencyTracker } from './latency-tracker.js';

describe('createLatencyTracker', () => {
  it('has no percentile before minSamples latencies', () => {
    const tracker = createLatencyTracker(10, 3);
    tracker.record(5);
    tracker.record(6);
    expect(tracker.p95()).toBeUndefined();
    tracker.record(7);
    expect(tracker.p95()).toBe(7);
  });

  it('takes the nearest-rank 95th percentile', () => {
    const tracker = createLatencyTracker(100, 1);
    // Recorded out of order: the percentile sorts numerically, not as strings.
    for (let ms = 100; ms >= 1; ms -= 1) tracker.record(ms);
    expect(tracker.p95()).toBe(95);
    const twenty = createLatencyTracker(20, 20);
    for (let ms = 1; ms <= 20; ms += 1) twenty.record(ms * 10);
    expect(twenty.p95()).toBe(190);
  });

  it('keeps only the latest capacity latencies', () => {
    const tracker = createLatencyTracker(20, 1);
    for (let i = 0; i < 20; i += 1) tracker.record(1_000);
    expect(tracker.p95()).toBe(1_000);
    for (let i = 0; i < 20; i += 1) tracker.record(3);
    expect(tracker.size).toBe(20);
    expect(tracker.p95()).toBe(3);
  });

  it('recomputes after a new sample', () => {
    const tracker = createLatencyTracker(2, 1);
    tracker.record(1);
    expect(tracker.p95()).toBe(1);
    tracker.record(9);
    expect(tracker.p95()).toBe(9);
  });
});
