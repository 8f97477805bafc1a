/** Base of the runner's errors: a stable `code` and, when there is one, the `cause`. */
export class LoadError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'LoadError';
    this.code = code;
  }
}

export function isLoadError(value: unknown): value is LoadError {
  return value instanceof LoadError;
}
