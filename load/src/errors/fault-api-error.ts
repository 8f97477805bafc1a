import { LoadError } from './load-error.js';

/** mock-api's fault API refused a change or did not answer. */
export class FaultApiError extends LoadError {
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: { readonly cause?: unknown }) {
    super('ERR_LOAD_FAULT_API', message, options);
    this.name = 'FaultApiError';
    this.status = status;
  }
}

export function isFaultApiError(value: unknown): value is FaultApiError {
  return value instanceof FaultApiError;
}
