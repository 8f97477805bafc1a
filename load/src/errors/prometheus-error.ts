import { LoadError } from './load-error.js';

/**
 * Prometheus (started with `--prometheus`) could not be used: the server is not installed, did not become
 * ready in time, or its HTTP API answered an error.
 */
export class PrometheusError extends LoadError {
  constructor(
    code: 'ERR_LOAD_PROMETHEUS_NOT_FOUND' | 'ERR_LOAD_PROMETHEUS',
    message: string,
    options?: {
      readonly cause?: unknown;
    },
  ) {
    super(code, message, options);
    this.name = 'PrometheusError';
  }
}

export function isPrometheusError(value: unknown): value is PrometheusError {
  return value instanceof PrometheusError;
}
