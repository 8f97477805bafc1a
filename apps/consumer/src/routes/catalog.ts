import { type Request, type Response, Router } from 'express';
import { degradedReadResponse } from '../degradation.js';
import { failureFields, failureLevel } from '../log-fields.js';
import { classifyUpstreamError, UPSTREAM_REQUEST_DEFAULTS } from '../upstream.js';
import { errorBody, type RouteContext } from './route-context.js';

const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `GET /catalog` -> upstream `GET /api/items`; `GET /catalog/:id` -> `GET /api/items/:id`. The upstream's JSON
 * is passed through as text (never parsed and serialised again) and remembered for stale-if-error; failures are
 * answered by the degradation rules.
 */
export function catalogRouter(context: RouteContext): Router {
  const router = Router();

  async function read(req: Request, res: Response, route: string, upstreamPath: string): Promise<void> {
    const { client, cache, metrics } = context;
    try {
      const response = await client.get<string>(upstreamPath, {
        ...UPSTREAM_REQUEST_DEFAULTS,
        deadline: context.deadlineOf(req),
        responseType: 'text',
      });
      cache.set(upstreamPath, response.data);
      res.status(200).set('X-Cache', 'miss').type('application/json').send(response.data);
    } catch (error) {
      const failure = classifyUpstreamError(error);
      if (failure === undefined) throw error;
      if (failure.kind === 'status' && failure.status === 404) {
        res.status(404).json(errorBody(req, 'not_found', `No catalog item ${JSON.stringify(req.params.id)}`));
        return;
      }
      const stale = cache.get(upstreamPath);
      const answer = degradedReadResponse(failure, {
        requestId: req.id,
        stale,
        breakerRetryAfterMs: context.breakerRetryAfterMs(),
      });
      if (stale !== undefined) metrics.staleServed(route);
      req.log[failureLevel(failure)](
        { route, ...failureFields(failure, error), status: answer.status, stale: stale !== undefined },
        stale === undefined
          ? 'upstream failed: answering without data'
          : 'upstream failed: serving stale copy',
      );
      res.status(answer.status).set(answer.headers);
      if (stale === undefined) res.json(answer.body);
      else res.type('application/json').send(stale.body);
    }
  }

  router.get('/catalog', (req, res) => read(req, res, '/catalog', '/api/items'));
  router.get('/catalog/:id', async (req, res) => {
    const id = req.params.id;
    if (!ITEM_ID.test(id)) {
      res.status(400).json(errorBody(req, 'invalid_id', 'An item id is 1-64 letters, digits, "_" or "-"'));
      return;
    }
    await read(req, res, '/catalog/:id', `/api/items/${encodeURIComponent(id)}`);
  });
  return router;
}
