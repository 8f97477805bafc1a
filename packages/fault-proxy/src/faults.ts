/** The faults a proxy applies; each field left out is off. */
export interface FaultProxyFaults {
  /** Fixed delay of every chunk, each way, in ms. @default 0 */
  readonly latencyMs?: number;
  /** Extra delay of every chunk, each way: uniform in [0, jitterMs). @default 0 */
  readonly jitterMs?: number;
  /** Hold everything (connections stay open) until the stall is lifted. @default false */
  readonly stall?: boolean;
  /** Swallow everything for good: nothing forwarded, nothing answered. @default false */
  readonly blackhole?: boolean;
  /** Cut every n-th reply chunk in half and reset the connection; 0 = never. @default 0 */
  readonly resetReplyEvery?: number;
}

export interface ResolvedFaults {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly stall: boolean;
  readonly blackhole: boolean;
  readonly resetReplyEvery: number;
}

/** Every default, in one place. */
export const FAULT_PROXY_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  faults: Object.freeze({
    latencyMs: 0,
    jitterMs: 0,
    stall: false,
    blackhole: false,
    resetReplyEvery: 0,
  }) satisfies ResolvedFaults,
});

function nonNegative(name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new TypeError(
      `fault proxy: ${name} must be ${integer ? 'an integer' : 'a number'} >= 0, got ${String(value)}`,
    );
  }
}

/** Fills defaults and rejects impossible values with a TypeError naming the field. */
export function resolveFaults(faults: FaultProxyFaults): ResolvedFaults {
  if (typeof faults !== 'object' || faults === null)
    throw new TypeError('fault proxy: faults must be an object');
  nonNegative('latencyMs', faults.latencyMs, false);
  nonNegative('jitterMs', faults.jitterMs, false);
  nonNegative('resetReplyEvery', faults.resetReplyEvery, true);
  const defaults = FAULT_PROXY_DEFAULTS.faults;
  return {
    latencyMs: faults.latencyMs ?? defaults.latencyMs,
    jitterMs: faults.jitterMs ?? defaults.jitterMs,
    stall: faults.stall ?? defaults.stall,
    blackhole: faults.blackhole ?? defaults.blackhole,
    resetReplyEvery: faults.resetReplyEvery ?? defaults.resetReplyEvery,
  };
}
