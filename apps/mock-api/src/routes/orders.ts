import type { Logger } from '@resilience/logging';
import { type Request, type Response, Router } from 'express';
import { HttpError } from '../errors/http-error.js';
import { isStoreUnavailableError } from '../errors/store-unavailable-error.js';
import { jsonBody, requireJsonContentType } from '../http/require-json.js';
import { requestFingerprint } from '../idempotency/fingerprint.js';
import { readIdempotencyKey } from '../idempotency/idempotency-header.js';
import type { ItemCatalogue } from '../items/items.js';
import type { MockApiMetrics } from '../metrics.js';
import { orderIdForKey } from '../orders/order-id.js';
import { parseOrderInput } from '../orders/order-input.js';
import type { Order, OrderStore, SaveOnceOutcome } from '../orders/order-store.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const MAX_LIST_LIMIT = 10_000;
const DEFAULT_LIST_LIMIT = 100;

export interface OrdersRouterOptions {
  readonly catalogue: ItemCatalogue;
  readonly orders: OrderStore;
  readonly metrics: MockApiMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** Ids of orders made without an `Idempotency-Key` (keyed orders take theirs from the key). */
  readonly generateId: () => string;
}

/** The idempotency scope: keys of different API keys never collide; requests without one share a scope. */
function scopeOf(req: Request): string {
  const client = req.rateLimitClient;
  return client?.kind === 'api-key' ? client.key : 'anonymous';
}

function sendOrder(res: Response, order: Order): void {
  res.setHeader('location', `/api/orders/${order.id}`);
  res.status(201).json(order);
}

/**
 * The honest answer to a store failure: whether the order may exist decides what a retry does. With an
 * `Idempotency-Key` a retry is always safe (it replays the order or creates it once), so both answers say "retry
 * with the same key"; without one, an unknown outcome says that a retry may create a second order.
 */
function storeFailure(req: Request, res: Response, error: unknown, keyed: boolean): unknown {
  if (!isStoreUnavailableError(error)) return error;
  req.log.error({ err: error, mayHaveRun: error.mayHaveRun }, 'order store failed');
  res.setHeader('Retry-After', '1');
  if (!error.mayHaveRun) {
    return new HttpError(
      503,
      'store_unavailable',
      'The order store is unavailable and no order was saved; try again shortly.',
      { cause: error },
    );
  }
  return new HttpError(
    503,
    'order_outcome_unknown',
    keyed
      ? 'The order store did not confirm whether the order was saved. Retry with the same Idempotency-Key: it returns the order if it was saved, or creates it once.'
      : 'The order store did not confirm whether the order was saved. A retry without an Idempotency-Key may create a second order: check GET /api/orders first, and send an Idempotency-Key.',
    { cause: error },
  );
}

/**
 * `POST /api/orders` (exactly one order per `Idempotency-Key`), `GET /api/orders` (`{ orders, total }`, newest
 * first, `?limit=1..10000`, default 100) and `GET /api/orders/:id`.
 */
export function createOrdersRouter(options: OrdersRouterOptions): Router {
  const { catalogue, orders, metrics, now, generateId } = options;
  const router = Router();

  router.post('/api/orders', requireJsonContentType, jsonBody(), async (req, res) => {
    const rawKey = readIdempotencyKey(req);
    const input = parseOrderInput(req.body);
    if (!input.ok) {
      throw new HttpError(400, 'validation_failed', 'The order is not valid.', {
        details: { problems: input.problems },
      });
    }
    const item = catalogue.get(input.value.itemId);
    if (item === undefined) {
      throw new HttpError(422, 'unknown_item', `No item has id "${input.value.itemId}".`);
    }
    const scopedKey = rawKey === undefined ? undefined : `${scopeOf(req)}|${rawKey}`;
    const order: Order = {
      id: scopedKey === undefined ? generateId() : orderIdForKey(scopedKey),
      itemId: item.id,
      quantity: input.value.quantity,
      unitPriceCents: item.priceCents,
      totalCents: item.priceCents * input.value.quantity,
      currency: item.currency,
      status: 'confirmed',
      idempotencyKey: rawKey ?? null,
      createdAt: new Date(now()).toISOString(),
    };

    if (scopedKey === undefined) {
      try {
        await orders.save(order);
      } catch (error) {
        throw storeFailure(req, res, error, false);
      }
      metrics.ordersCreated.inc();
      sendOrder(res, order);
      return;
    }

    const fingerprint = requestFingerprint('POST', '/api/orders', req.body);
    let outcome: SaveOnceOutcome;
    try {
      outcome = await orders.saveOnce(scopedKey, fingerprint, order);
    } catch (error) {
      throw storeFailure(req, res, error, true);
    }
    if (outcome.kind === 'created') {
      metrics.ordersCreated.inc();
      sendOrder(res, order);
      return;
    }
    if (outcome.record.fingerprint !== fingerprint) {
      throw new HttpError(
        422,
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body.',
      );
    }
    metrics.idempotentReplays.inc();
    req.log.info({ orderId: outcome.record.order.id }, 'idempotent replay');
    res.setHeader(REPLAYED_HEADER, 'true');
    sendOrder(res, outcome.record.order);
  });

  router.get('/api/orders', async (req, res) => {
    const raw = req.query.limit;
    let limit = DEFAULT_LIST_LIMIT;
    if (raw !== undefined) {
      if (
        typeof raw !== 'string' ||
        !/^\d{1,5}$/.test(raw) ||
        Number(raw) < 1 ||
        Number(raw) > MAX_LIST_LIMIT
      ) {
        throw new HttpError(
          400,
          'validation_failed',
          `limit must be an integer from 1 to ${MAX_LIST_LIMIT}.`,
        );
      }
      limit = Number(raw);
    }
    const result = await orders.list(limit);
    res.json({ orders: result.orders, total: result.total });
  });

  router.get('/api/orders/:id', async (req, res) => {
    const order = await orders.get(req.params.id);
    if (order === undefined)
      throw new HttpError(404, 'order_not_found', `No order has id "${req.params.id}".`);
    res.json(order);
  });

  return router;
}
