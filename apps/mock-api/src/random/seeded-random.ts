/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * A small deterministic generator (mulberry32): the same seed always yields the same sequence.
 * Not for secrets; for reproducible fault injection and generated data.
 */
export function createSeededRandom(seed: number): RandomSource {
  if (!Number.isInteger(seed)) throw new TypeError('createSeededRandom: seed must be an integer');
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
