import { MockApiError } from './mock-api-error.js';

/**
 * An error that maps to one HTTP answer: `status`, and a JSON body `{ error, message, requestId }`
 * where `error` is a short snake_case slug clients can branch on.
 */
export class HttpError extends MockApiError {
  readonly status: number;
  /** Snake_case slug sent as the body's `error` field, e.g. `validation_failed`. */
  readonly error: string;
  /** Extra fields merged into the JSON body (e.g. `details`). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    status: number,
    error: string,
    message: string,
    options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> },
  ) {
    super('ERR_HTTP', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.error = error;
    this.details = options?.details;
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}
