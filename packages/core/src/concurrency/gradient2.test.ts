import { describe, expect, it } from 'vitest';
import { createGradient2, type Gradient2Options } from './gradient2.js';

const base: Gradient2Options = {
  initialLimit: 20,
  minLimit: 1,
  maxLimit: 200,
  smoothing: 0.2,
  queueSize: 4,
  longWindow: 600,
};

describe('createGradient2', () => {
  it('grows by smoothing x queueSize per busy sample while RTT stays at its long-term level', () => {
    const g = createGradient2(base);
    // gradient 1: target = 20 + 4, smoothed 20 * 0.8 + 24 * 0.2 = 20.8
    expect(g.update({ rttMs: 10, inFlight: 20, dropped: false })).toBeCloseTo(20.8, 10);
    expect(g.update({ rttMs: 10, inFlight: 20, dropped: false })).toBeCloseTo(21.6, 10);
  });

  it('leaves the limit alone while fewer than half the slots are used (app-limited)', () => {
    const g = createGradient2(base);
    expect(g.update({ rttMs: 10, inFlight: 9, dropped: false })).toBe(20);
    expect(g.update({ rttMs: 10, inFlight: 10, dropped: false })).toBeCloseTo(20.8, 10);
  });

  it('shrinks when the current RTT inflates past the long-term average, by at most gradient 0.5', () => {
    const g = createGradient2({ ...base, longWindow: 1 });
    for (let i = 0; i < 10; i += 1) g.update({ rttMs: 10, inFlight: 1, dropped: false });
    expect(g.longRttMs).toBe(10);
    // 11th sample: EMA with factor 2 / (1 + 1) = 1 would follow at once; use a long window instead below
    const h = createGradient2(base);
    for (let i = 0; i < 10; i += 1) h.update({ rttMs: 10, inFlight: 1, dropped: false });
    // long = 10 * (1 - 2/601) + 1000 * 2/601 ~ 13.29; gradient clamps to 0.5: target 10 + 4 = 14, smoothed 18.8
    expect(h.update({ rttMs: 1000, inFlight: 20, dropped: false })).toBeCloseTo(18.8, 10);
    // a moderate inflation: gradient = long / short between 0.5 and 1
    const k = createGradient2(base);
    for (let i = 0; i < 10; i += 1) k.update({ rttMs: 10, inFlight: 1, dropped: false });
    const long = 10 * (1 - 2 / 601) + 15 * (2 / 601);
    const expected = 20 * 0.8 + (20 * (long / 15) + 4) * 0.2;
    expect(k.update({ rttMs: 15, inFlight: 20, dropped: false })).toBeCloseTo(expected, 10);
    expect(expected).toBeLessThan(20);
  });

  it('halves the target on a drop, even when app-limited, without sampling its RTT', () => {
    const g = createGradient2(base);
    g.update({ rttMs: 10, inFlight: 1, dropped: false });
    // target 10, smoothed 20 * 0.8 + 10 * 0.2 = 18
    expect(g.update({ rttMs: 5000, inFlight: 1, dropped: true })).toBeCloseTo(18, 10);
    expect(g.longRttMs).toBe(10);
  });

  it('keeps the limit within [minLimit, maxLimit]', () => {
    const up = createGradient2({ ...base, initialLimit: 10, maxLimit: 11, smoothing: 1 });
    expect(up.update({ rttMs: 10, inFlight: 10, dropped: false })).toBe(11);
    expect(up.update({ rttMs: 10, inFlight: 11, dropped: false })).toBe(11);
    const down = createGradient2({ ...base, initialLimit: 10, minLimit: 8, smoothing: 1 });
    expect(down.update({ rttMs: 10, inFlight: 1, dropped: true })).toBe(8);
  });

  it('cuts the long-term RTT by 10 % when it is more than twice the current RTT (recovery)', () => {
    const g = createGradient2(base);
    g.update({ rttMs: 100, inFlight: 1, dropped: false });
    // warm-up mean (100 + 10) / 2 = 55 > 2 x 10: cut to 49.5
    g.update({ rttMs: 10, inFlight: 1, dropped: false });
    expect(g.longRttMs).toBeCloseTo(49.5, 10);
  });
});
