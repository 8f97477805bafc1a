import { MockApiError } from './mock-api-error.js';

/** The order or idempotency store (Redis) failed or did not answer in time. */
export class StoreUnavailableError extends MockApiError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error && cause.message !== '' ? cause.message : String(cause);
    super('ERR_STORE_UNAVAILABLE', `${operation} failed: ${reason}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

export function isStoreUnavailableError(value: unknown): value is StoreUnavailableError {
  return value instanceof StoreUnavailableError;
}
