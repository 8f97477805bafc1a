import type { ConfigProblem, ConfigError as EnvConfigError } from '@resilience/http-server';
import { MockApiError } from './mock-api-error.js';

/**
 * Environment variables have values the service cannot run with. `problems` lists every one of them (each with
 * the variable and what to write instead), so one failed start shows all that needs fixing.
 */
export class ConfigError extends MockApiError {
  /** The first variable at fault, e.g. `PORT` (for a check across variables, the names joined by `, `). */
  readonly variable: string;
  /** Every invalid variable, in the order they are read. */
  readonly problems: readonly ConfigProblem[];

  /** Made from the shared reader's error (`@resilience/http-server`), whose message and problems it keeps. */
  constructor(source: EnvConfigError) {
    super('ERR_MOCK_API_CONFIG', source.message, { cause: source });
    this.name = 'ConfigError';
    this.problems = source.problems;
    this.variable = source.problems[0]?.variable ?? '';
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError;
}
