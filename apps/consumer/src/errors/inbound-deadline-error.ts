/**
 * The inbound request's budget (`REQUEST_DEADLINE_MS`) ran out while its upstream call was still running. Used
 * as the abort reason of that call, and thrown in its place.
 */
export class InboundDeadlineError extends Error {
  override readonly name = 'InboundDeadlineError';
  readonly code = 'ERR_INBOUND_DEADLINE';
  readonly deadlineMs: number;

  constructor(deadlineMs: number) {
    super(`The inbound request deadline of ${deadlineMs} ms was reached`);
    this.deadlineMs = deadlineMs;
  }
}

export function isInboundDeadlineError(error: unknown): error is InboundDeadlineError {
  return error instanceof InboundDeadlineError;
}
