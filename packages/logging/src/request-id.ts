import { randomFillSync } from 'node:crypto';

/** Header that carries the request id in and out of every service (lowercase, as Node exposes it). */
export const REQUEST_ID_HEADER = 'x-request-id';

const ID_PREFIX = 'req-';
const ID_BYTES = 6; // 12 hex characters
const IDS_PER_POOL = 512;
const MAX_REQUEST_ID_LENGTH = 128;
const REQUEST_ID_CHARACTERS = /^[A-Za-z0-9._:-]+$/;

// Random bytes are drawn from the CSPRNG in batches: one system call per 512 ids instead of one per id.
// Allocated on first use, so importing the module does no work.
let pool: Buffer | undefined;
let poolOffset = 0;

/**
 * A new request id: `req-` followed by 12 lowercase hex characters (48 bits from the CSPRNG),
 * e.g. `req-3f9a0c1b7e42`.
 */
export function generateRequestId(): string {
  if (pool === undefined) {
    pool = Buffer.allocUnsafe(ID_BYTES * IDS_PER_POOL);
    poolOffset = pool.length;
  }
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += ID_BYTES;
  return ID_PREFIX + pool.toString('hex', start, poolOffset);
}

/**
 * True only for a string of 1-128 characters from `[A-Za-z0-9._:-]`: request ids of this
 * system, UUIDs and the ids most other systems send. False for anything else (CR/LF, spaces,
 * other characters, empty, longer values, non-strings).
 */
export function isValidRequestId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the pattern's `+` already refuses an empty string
    value.length > 0 &&
    value.length <= MAX_REQUEST_ID_LENGTH &&
    REQUEST_ID_CHARACTERS.test(value)
  );
}

/** Why an inbound request id was refused (used in the debug line that reports the replacement). */
export function describeInvalidRequestId(value: string | readonly string[]): string {
  if (typeof value !== 'string') return 'header sent more than once';
  if (value.length === 0) return 'empty';
  if (value.length > MAX_REQUEST_ID_LENGTH) {
    return `longer than ${MAX_REQUEST_ID_LENGTH} characters (${value.length})`;
  }
  return 'contains characters outside [A-Za-z0-9._:-]';
}
