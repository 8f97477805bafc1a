import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.js';

describe('createSeededRandom', () => {
  it('repeats the same sequence for the same seed, in [0, 1)', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const values = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBe(100);
  });

  it('differs between seeds and refuses a non-integer seed', () => {
    expect(createSeededRandom(1)()).not.toBe(createSeededRandom(2)());
    expect(() => createSeededRandom(1.5)).toThrow(TypeError);
  });
});
