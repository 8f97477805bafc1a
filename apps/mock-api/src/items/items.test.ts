import { describe, expect, it } from 'vitest';
import { createItemCatalogue, generateItems } from './items.js';

describe('generateItems', () => {
  it('generates the same 36 items every time, with ids "1" to "36"', () => {
    const items = generateItems();
    expect(generateItems()).toEqual(items);
    expect(items.map((item) => item.id)).toEqual(Array.from({ length: 36 }, (_, i) => String(i + 1)));
    expect(items.every((item) => Number.isInteger(item.priceCents) && item.priceCents >= 500)).toBe(true);
  });

  it('finds items by id', () => {
    const catalogue = createItemCatalogue();
    expect(catalogue.get('36')?.id).toBe('36');
    expect(catalogue.get('37')).toBeUndefined();
  });
});
