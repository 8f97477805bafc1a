/**
 * The abort reason given to an attempt that lost the race (another attempt succeeded first) or whose call ended.
 * Attempts see it as `signal.reason`; it never reaches the caller of `run`.
 */
export class HedgeCancelledError extends Error {
  /** Stable, machine-readable code. */
  readonly code = 'ERR_HEDGE_CANCELLED' as const;
  /** Index of the cancelled attempt (0 = the primary). */
  readonly attempt: number;

  constructor(attempt: number, why: 'lost' | 'failed') {
    super(
      why === 'lost'
        ? `Hedged attempt ${attempt} cancelled: another attempt succeeded first`
        : `Hedged attempt ${attempt} cancelled: the call failed`,
    );
    this.name = 'HedgeCancelledError';
    this.attempt = attempt;
  }
}

/** True when `error` is the abort reason of a cancelled hedged attempt. */
export function isHedgeCancelledError(error: unknown): error is HedgeCancelledError {
  return error instanceof HedgeCancelledError;
}
