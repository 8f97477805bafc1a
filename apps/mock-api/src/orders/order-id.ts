import { createHash } from 'node:crypto';

/**
 * The id of the order an `Idempotency-Key` creates: a UUIDv8 (RFC 9562, custom) made of the SHA-256 of the scoped
 * key. Every attempt with one key, on every instance, names the same order, so a key can never own two orders,
 * whatever fails in between.
 */
export function orderIdForKey(scopedKey: string): string {
  const hex = createHash('sha256').update(scopedKey).digest('hex');
  // Version 8 in the 13th digit, variant 10 in the two high bits of the 17th.
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0b0011) | 0b1000).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
