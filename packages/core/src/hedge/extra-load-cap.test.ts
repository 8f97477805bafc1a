import { describe, expect, it } from 'vitest';
import { createExtraLoadCap } from './extra-load-cap.js';

describe('createExtraLoadCap', () => {
  it('starts empty and allows one hedge per twenty calls at 0.05, exactly', () => {
    const cap = createExtraLoadCap(0.05, 100);
    for (let i = 0; i < 19; i += 1) cap.credit();
    expect(cap.canSpend()).toBe(false);
    cap.credit();
    expect(cap.canSpend()).toBe(true);
    cap.spend();
    expect(cap.canSpend()).toBe(false);
  });

  it('keeps at most ratio x window hedges of unused credit', () => {
    const cap = createExtraLoadCap(0.05, 100);
    for (let i = 0; i < 1_000; i += 1) cap.credit();
    let spent = 0;
    while (cap.canSpend()) {
      cap.spend();
      spent += 1;
    }
    expect(spent).toBe(5);
  });

  it('keeps at least one hedge of credit when ratio x window is below one', () => {
    const cap = createExtraLoadCap(0.5, 1);
    cap.credit();
    cap.credit();
    expect(cap.canSpend()).toBe(true);
    cap.spend();
    expect(cap.canSpend()).toBe(false);
  });

  it('never allows a hedge at ratio 0', () => {
    const cap = createExtraLoadCap(0, 100);
    for (let i = 0; i < 1_000; i += 1) cap.credit();
    expect(cap.canSpend()).toBe(false);
  });
});
