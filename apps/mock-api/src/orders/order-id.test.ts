import { describe, expect, it } from 'vitest';
import { orderIdForKey } from './order-id.js';

describe('orderIdForKey', () => {
  it('is a UUID of version 8 and variant 10', () => {
    for (const key of ['anonymous|a', 'k|checkout-42', 'x'.repeat(300)]) {
      expect(orderIdForKey(key)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });

  it('is the SHA-256 of the scoped key, with the version and variant bits set', () => {
    // sha256('anonymous|checkout-42') = b2a3099f 1e73 0dcf 4ef4 583fb6da36d2 7b7b…: 0 -> 8 (version), 4 -> 8 (variant).
    expect(orderIdForKey('anonymous|checkout-42')).toBe('b2a3099f-1e73-8dcf-8ef4-583fb6da36d2');
  });

  it('differs between keys and between scopes', () => {
    const ids = new Set(['a|1', 'a|2', 'b|1', 'anonymous|1'].map(orderIdForKey));
    expect(ids.size).toBe(4);
  });
});
