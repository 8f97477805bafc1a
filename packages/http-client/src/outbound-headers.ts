import { AxiosHeaders } from 'axios';

/** The value of header `lowerName` (case-insensitive) in a plain object or AxiosHeaders; '' counts as absent. */
export function headerValue(headers: unknown, lowerName: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  let value: unknown;
  if (headers instanceof AxiosHeaders) {
    value = headers.get(lowerName);
  } else {
    for (const name of Object.keys(headers)) {
      // Stryker disable next-line ConditionalExpression: a fast path; toLowerCase() alone gives the same answer
      if (name.length === lowerName.length && name.toLowerCase() === lowerName) {
        value = (headers as Record<string, unknown>)[name];
        break;
      }
    }
  }
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
