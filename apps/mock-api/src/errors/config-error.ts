import { MockApiError } from './mock-api-error.js';

/** An environment variable has a value the service cannot run with. */
export class ConfigError extends MockApiError {
  /** The environment variable at fault, e.g. `PORT`. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super('ERR_MOCK_API_CONFIG', `${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError;
}
