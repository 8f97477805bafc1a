import { Router } from 'express';
import { HttpError } from '../errors/http-error.js';
import { sendStaticJson, staticJson } from '../http/static-json.js';
import type { ItemCatalogue } from '../items/items.js';

/** `GET /api/items` (`{ items, count }`) and `GET /api/items/:id` (the item, or 404). */
export function createItemsRouter(catalogue: ItemCatalogue): Router {
  const router = Router();
  const items = catalogue.list();
  // The catalogue never changes: serialise each answer (and its ETag) once.
  const list = staticJson({ items, count: items.length });
  const byId = new Map(items.map((item) => [item.id, staticJson(item)]));
  router.get('/api/items', (_req, res) => {
    sendStaticJson(res, list);
  });
  router.get('/api/items/:id', (req, res) => {
    const item = byId.get(req.params.id);
    if (item === undefined) throw new HttpError(404, 'item_not_found', `No item has id "${req.params.id}".`);
    sendStaticJson(res, item);
  });
  return router;
}
