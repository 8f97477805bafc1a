import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors/http-error.js';
import { isValidIdempotencyKey } from './fingerprint.js';

/** The header's name as Node lists it in `headersDistinct`. */
const HEADER = 'idempotency-key';

/**
 * The request's `Idempotency-Key`, or `undefined` when it has none. Throws a 400 `invalid_idempotency_key`
 * `HttpError` when the header is sent more than once (Node would join the lines into one key, `a, b`, and two
 * different retries could then share it) or when the key is not 1-255 printable ASCII characters.
 */
export function readIdempotencyKey(req: Pick<IncomingMessage, 'headersDistinct'>): string | undefined {
  const values = req.headersDistinct[HEADER];
  if (values === undefined) return undefined;
  if (values.length !== 1) {
    throw new HttpError(
      400,
      'invalid_idempotency_key',
      `Exactly one Idempotency-Key header is allowed; this request has ${values.length}.`,
    );
  }
  const [key] = values;
  if (!isValidIdempotencyKey(key)) {
    throw new HttpError(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 1-255 printable ASCII characters.',
    );
  }
  return key;
}
