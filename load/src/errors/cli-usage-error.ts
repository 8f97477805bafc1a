import { LoadError } from './load-error.js';

/** The runner's arguments are wrong. */
export class CliUsageError extends LoadError {
  constructor(message: string) {
    super('ERR_LOAD_USAGE', message);
    this.name = 'CliUsageError';
  }
}

export function isCliUsageError(value: unknown): value is CliUsageError {
  return value instanceof CliUsageError;
}
