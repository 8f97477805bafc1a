import { describe, expect, it } from 'vitest';
import { HttpError } from '../errors/http-error.js';
import { readIdempotencyKey } from './idempotency-header.js';

function request(values?: string[]): { headersDistinct: NodeJS.Dict<string[]> } {
  return { headersDistinct: values === undefined ? {} : { 'idempotency-key': values } };
}

function refusal(values: string[]): HttpError {
  try {
    readIdempotencyKey(request(values));
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('readIdempotencyKey accepted the header');
}

describe('readIdempotencyKey', () => {
  it('is undefined without the header', () => {
    expect(readIdempotencyKey(request())).toBeUndefined();
  });

  it('returns the one key sent, commas and spaces included', () => {
    expect(readIdempotencyKey(request(['checkout-7']))).toBe('checkout-7');
    expect(readIdempotencyKey(request(['a, b']))).toBe('a, b');
  });

  it('refuses the header sent twice, even with equal values', () => {
    for (const values of [
      ['a', 'b'],
      ['a', 'a'],
      ['a', 'b', 'c'],
    ]) {
      const error = refusal(values);
      expect(error.status).toBe(400);
      expect(error.error).toBe('invalid_idempotency_key');
      expect(error.message).toBe(
        `Exactly one Idempotency-Key header is allowed; this request has ${values.length}.`,
      );
    }
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'caf\u00e9'],
  ])('refuses a key that is %s', (_name, key) => {
    const error = refusal([key]);
    expect(error.status).toBe(400);
    expect(error.error).toBe('invalid_idempotency_key');
    expect(error.message).toBe('Idempotency-Key must be 1-255 printable ASCII characters.');
  });
});
