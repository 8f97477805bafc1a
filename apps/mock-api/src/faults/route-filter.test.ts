import { describe, expect, it } from 'vitest';
import { createRouteFilter, describeInvalidRoute } from './route-filter.js';

describe('createRouteFilter', () => {
  it('matches whole segments as a prefix', () => {
    const filter = createRouteFilter(['/api/items']);
    expect(filter.matches('GET', '/api/items')).toBe(true);
    expect(filter.matches('GET', '/api/items/7')).toBe(true);
    expect(filter.matches('GET', '/api/itemsX')).toBe(false);
    expect(filter.matches('GET', '/api/orders')).toBe(false);
  });

  it('matches :param segments against any one segment', () => {
    const filter = createRouteFilter(['/api/items/:id']);
    expect(filter.matches('GET', '/api/items/7')).toBe(true);
    expect(filter.matches('GET', '/api/items')).toBe(false);
  });

  it('restricts to a method when one is given', () => {
    const filter = createRouteFilter(['post /api/orders']);
    expect(filter.matches('POST', '/api/orders')).toBe(true);
    expect(filter.matches('GET', '/api/orders')).toBe(false);
  });

  it('describes invalid entries', () => {
    expect(describeInvalidRoute('/api')).toBeUndefined();
    expect(describeInvalidRoute('FETCH /api')).toContain('METHOD');
    expect(describeInvalidRoute('api')).toContain('starting with /');
    expect(describeInvalidRoute(3)).toContain('string');
    expect(() => createRouteFilter(['nope'])).toThrow(TypeError);
  });
});
