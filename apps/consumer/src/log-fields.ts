import type { UpstreamFailure } from './upstream-failure.js';

/**
 * What a degraded answer's log line says about the failure: its kind and the error's code and message, without
 * the stack (these failures are expected, and during an outage there is one per request).
 */
export function failureFields(failure: UpstreamFailure, error: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = { failure: failure.kind };
  if (error instanceof Error) {
    const code = Reflect.get(error, 'code');
    if (typeof code === 'string') fields.errorCode = code;
    fields.errorMessage = error.message;
  }
  return fields;
}

/** Breaker rejections are the expected, cheap path of an outage: debug. Everything else: warn. */
export function failureLevel(failure: UpstreamFailure): 'debug' | 'warn' {
  return failure.kind === 'circuit_open' ? 'debug' : 'warn';
}
