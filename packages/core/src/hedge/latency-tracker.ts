/** The latest `capacity` latencies of one upstream, and their 95th percentile. */
export interface LatencyTracker {
  record(ms: number): void;
  /** Latencies held (at most the capacity). */
  readonly size: number;
  /** The nearest-rank 95th percentile of the held latencies, or `undefined` while fewer than `minSamples`. */
  p95(): number | undefined;
}

/**
 * A ring buffer of the latest `capacity` latencies. The percentile is recomputed (a sorted copy) only when asked
 * after a new sample, so memory stays `capacity` numbers whatever the traffic.
 */
export function createLatencyTracker(capacity: number, minSamples: number): LatencyTracker {
  const samples = new Float64Array(capacity);
  let next = 0;
  let size = 0;
  let cached: number | undefined;
  let dirty = false;

  return {
    record(ms) {
      samples[next] = ms;
      next = (next + 1) % capacity;
      if (size < capacity) size += 1;
      dirty = true;
    },
    get size() {
      return size;
    },
    p95() {
      if (size < minSamples) return undefined;
      if (dirty) {
        const sorted = samples.slice(0, size).sort();
        cached = sorted[Math.ceil(0.95 * size) - 1];
        dirty = false;
      }
      return cached;
    },
  };
}
