import { Router } from 'express';
import { HttpError } from '../errors/http-error.js';
import type { ItemCatalogue } from '../items/items.js';

/** `GET /api/items` (`{ items, count }`) and `GET /api/items/:id` (the item, or 404). */
export function createItemsRouter(catalogue: ItemCatalogue): Router {
  const router = Router();
  const items = catalogue.list();
  // The catalogue never changes: serialise it once.
  const listBody = JSON.stringify({ items, count: items.length });
  router.get('/api/items', (_req, res) => {
    res.type('application/json').send(listBody);
  });
  router.get('/api/items/:id', (req, res) => {
    const item = catalogue.get(req.params.id);
    if (item === undefined) throw new HttpError(404, 'item_not_found', `No item has id "${req.params.id}".`);
    res.json(item);
  });
  return router;
}
