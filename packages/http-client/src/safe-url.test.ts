import { describe, expect, it } from 'vitest';
import { safeUrl } from './safe-url.js';

describe('safeUrl', () => {
  it('drops the query string, fragment and credentials', () => {
    expect(safeUrl('https://user:pw@api.test:8443/v1/items?token=abc#x')).toBe(
      'https://api.test:8443/v1/items',
    );
  });

  it('cuts an unparseable URL at the query string', () => {
    expect(safeUrl('/relative/path?key=secret')).toBe('/relative/path');
  });
});
