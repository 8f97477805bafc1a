import { LoadError } from './load-error.js';

/** A service did not start, log its listening line or become ready in time. */
export class ServiceStartError extends LoadError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('ERR_LOAD_SERVICE_START', message, options);
    this.name = 'ServiceStartError';
  }
}

export function isServiceStartError(value: unknown): value is ServiceStartError {
  return value instanceof ServiceStartError;
}
