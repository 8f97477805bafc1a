import { describe, expect, it } from 'vitest';
import { canonicalJson, isValidIdempotencyKey, requestFingerprint } from './fingerprint.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('requestFingerprint', () => {
  it('is equal for equal bodies whatever the key order, different otherwise', () => {
    const a = requestFingerprint('POST', '/api/orders', { itemId: '1', quantity: 2 });
    expect(requestFingerprint('POST', '/api/orders', { quantity: 2, itemId: '1' })).toBe(a);
    expect(requestFingerprint('POST', '/api/orders', { itemId: '1', quantity: 3 })).not.toBe(a);
    expect(requestFingerprint('PUT', '/api/orders', { itemId: '1', quantity: 2 })).not.toBe(a);
  });
});

describe('isValidIdempotencyKey', () => {
  it.each([
    ['a', true],
    ['checkout 2024-01-01 #7', true],
    ['k'.repeat(255), true],
    ['', false],
    ['k'.repeat(256), false],
    ['tab\there', false],
    ['caf\u00e9', false],
    ['line\nbreak', false],
  ])('%j -> %s', (key, valid) => {
    expect(isValidIdempotencyKey(key)).toBe(valid);
  });
});
