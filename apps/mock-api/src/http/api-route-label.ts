import type { Request, Response } from 'express';

/** Route templates of the `/api` routes (as mounted in `routes/`), for responses answered before routing. */
export const API_ROUTE_TEMPLATES: readonly string[] = Object.freeze([
  '/api/items',
  '/api/items/:id',
  '/api/orders',
  '/api/orders/:id',
]);

/** Label of an `/api` response that matched no template and is not a 404 (e.g. a 429 on an unknown path). */
export const API_FALLBACK_ROUTE = '/api/*';

/**
 * The metrics route label of a response that no route answered (a 429 from rate limiting, a 401, an injected
 * fault): the template its path would have matched, else `/api/*` for other `/api` responses, else `undefined`
 * (`unmatched`), so a real 404 stays `unmatched`. Bounded: only the templates and one fixed label.
 */
export function createApiRouteLabel(
  templates: readonly string[] = API_ROUTE_TEMPLATES,
): (req: Request, res: Response) => string | undefined {
  const patterns = templates.map((template) => ({ template, segments: template.split('/') }));
  return (req, res) => {
    const url = req.originalUrl;
    if (!url.startsWith('/api/')) return undefined;
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const segments = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
    for (const { template, segments: expected } of patterns) {
      if (expected.length !== segments.length) continue;
      let matches = true;
      for (let i = 0; i < expected.length; i += 1) {
        const want = expected[i] ?? '';
        const got = segments[i] ?? '';
        if (want.startsWith(':') ? got === '' : want !== got) {
          matches = false;
          break;
        }
      }
      if (matches) return template;
    }
    return res.statusCode === 404 ? undefined : API_FALLBACK_ROUTE;
  };
}
