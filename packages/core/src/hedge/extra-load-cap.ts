/** Credit in millionths of a hedge, so that twenty credits of 0.05 make exactly one hedge. */
const UNIT = 1_000_000;

/** Keeps hedges sent <= `ratio` x primary calls: credited per primary call, spent per hedge, starting empty. */
export interface ExtraLoadCap {
  /** One primary call: adds `ratio` of a hedge, up to the capacity. */
  credit(): void;
  /** True when one hedge's worth of credit is there. */
  canSpend(): boolean;
  /** Spends one hedge's worth (call after `canSpend()` returned true). */
  spend(): void;
}

export function createExtraLoadCap(ratio: number, window: number): ExtraLoadCap {
  const perCall = Math.round(ratio * UNIT);
  const capacity = Math.max(UNIT, perCall * window);
  let credit = 0;
  return {
    credit() {
      credit = Math.min(capacity, credit + perCall);
    },
    canSpend() {
      return credit >= UNIT;
    },
    spend() {
      credit -= UNIT;
    },
  };
}
