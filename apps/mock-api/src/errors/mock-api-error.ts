/** Base class of the errors this package throws; `code` is stable and safe to branch on. */
export class MockApiError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MockApiError';
    this.code = code;
  }
}

export function isMockApiError(value: unknown): value is MockApiError {
  return value instanceof MockApiError;
}
