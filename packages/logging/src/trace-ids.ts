import { randomFillSync } from 'node:crypto';

const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;
const POOL_BYTES = 4096;

// Random bytes come from the CSPRNG in batches, like request ids: one system call per 4 KiB instead of one per id.
// Allocated on first use, so importing the module does no work.
let pool: Buffer | undefined;
let poolOffset = 0;

function randomHex(bytes: number): string {
  if (pool === undefined) {
    pool = Buffer.allocUnsafe(POOL_BYTES);
    poolOffset = pool.length;
  }
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += bytes;
  return pool.toString('hex', start, poolOffset);
}

const ZERO_IDS: ReadonlySet<string> = new Set([
  '0'.repeat(TRACE_ID_BYTES * 2),
  '0'.repeat(SPAN_ID_BYTES * 2),
]);

function notAllZero(bytes: number): string {
  for (;;) {
    const id = randomHex(bytes);
    // Stryker disable next-line all: an all-zero draw has a probability of 2^-64 or less
    if (!ZERO_IDS.has(id)) return id;
  }
}

/** A new W3C trace id: 32 lowercase hex characters (128 bits from the CSPRNG), never all zero. */
export function generateTraceId(): string {
  return notAllZero(TRACE_ID_BYTES);
}

/** A new W3C span id: 16 lowercase hex characters (64 bits from the CSPRNG), never all zero. */
export function generateSpanId(): string {
  return notAllZero(SPAN_ID_BYTES);
}
