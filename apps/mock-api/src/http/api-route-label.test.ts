import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { API_FALLBACK_ROUTE, createApiRouteLabel } from './api-route-label.js';

const label = createApiRouteLabel();
const at = (originalUrl: string, statusCode = 429) =>
  label({ originalUrl } as Request, { statusCode } as Response);

describe('createApiRouteLabel', () => {
  it('labels an /api response with the template its path matches', () => {
    expect(at('/api/items')).toBe('/api/items');
    expect(at('/api/items/')).toBe('/api/items');
    expect(at('/api/items/42?x=1')).toBe('/api/items/:id');
    expect(at('/api/orders/abc-123', 503)).toBe('/api/orders/:id');
    expect(at('/api/orders')).toBe('/api/orders');
  });

  it('labels other /api responses with one fixed label, never the raw path', () => {
    expect(at('/api/items/1/extra')).toBe(API_FALLBACK_ROUTE);
    expect(at('/api/nothing/here', 401)).toBe(API_FALLBACK_ROUTE);
  });

  it('leaves 404s without a template and paths outside /api unlabelled', () => {
    expect(at('/api/nothing', 404)).toBeUndefined();
    expect(at('/elsewhere')).toBeUndefined();
  });
});
