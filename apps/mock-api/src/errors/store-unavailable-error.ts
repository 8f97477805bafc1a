import { MockApiError } from './mock-api-error.js';

/** The order store (Redis) failed or did not answer in time. */
export class StoreUnavailableError extends MockApiError {
  /**
   * Whether the failed command may still have run: it was sent and no answer came back (a timeout, a connection
   * lost mid-reply). `false` only when it surely never reached Redis (not connected, or held back because an
   * earlier command is still unanswered).
   */
  readonly mayHaveRun: boolean;

  constructor(operation: string, cause: unknown, options: { readonly mayHaveRun?: boolean } = {}) {
    const reason = cause instanceof Error && cause.message !== '' ? cause.message : String(cause);
    super('ERR_STORE_UNAVAILABLE', `${operation} failed: ${reason}`, { cause });
    this.name = 'StoreUnavailableError';
    this.mayHaveRun = options.mayHaveRun ?? true;
  }
}

export function isStoreUnavailableError(value: unknown): value is StoreUnavailableError {
  return value instanceof StoreUnavailableError;
}
