import type { Logger } from '@resilience/logging';
import { type Request, type Response, Router } from 'express';
import { HttpError } from '../errors/http-error.js';
import { jsonBody, requireJsonContentType } from '../http/require-json.js';
import { isValidIdempotencyKey, requestFingerprint } from '../idempotency/fingerprint.js';
import type { IdempotencyStore, StoredResponse } from '../idempotency/idempotency-store.js';
import type { ItemCatalogue } from '../items/items.js';
import type { MockApiMetrics } from '../metrics.js';
import { parseOrderInput } from '../orders/order-input.js';
import type { Order, OrderStore } from '../orders/order-store.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const MAX_LIST_LIMIT = 10_000;
const DEFAULT_LIST_LIMIT = 100;

export interface OrdersRouterOptions {
  readonly catalogue: ItemCatalogue;
  readonly orders: OrderStore;
  readonly idempotency: IdempotencyStore;
  readonly metrics: MockApiMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly generateId: () => string;
}

function send(res: Response, response: StoredResponse): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.status(response.status).json(response.body);
}

/** The idempotency scope: keys of different API keys never collide; requests without one share a scope. */
function scopeOf(req: Request): string {
  const client = req.rateLimitClient;
  return client?.kind === 'api-key' ? client.key : 'anonymous';
}

/**
 * `POST /api/orders` (idempotent with `Idempotency-Key`), `GET /api/orders` (`{ orders, total }`, newest first,
 * `?limit=1..10000`, default 100) and `GET /api/orders/:id`.
 */
export function createOrdersRouter(options: OrdersRouterOptions): Router {
  const { catalogue, orders, idempotency, metrics, now, generateId } = options;
  const router = Router();

  async function createOrder(
    body: { itemId: string; quantity: number },
    key: string | null,
  ): Promise<StoredResponse> {
    const item = catalogue.get(body.itemId);
    if (item === undefined) {
      return {
        status: 422,
        body: { error: 'unknown_item', message: `No item has id "${body.itemId}".` },
        headers: {},
      };
    }
    const order: Order = {
      id: generateId(),
      itemId: item.id,
      quantity: body.quantity,
      unitPriceCents: item.priceCents,
      totalCents: item.priceCents * body.quantity,
      currency: item.currency,
      status: 'confirmed',
      idempotencyKey: key,
      createdAt: new Date(now()).toISOString(),
    };
    await orders.save(order);
    metrics.ordersCreated.inc();
    return { status: 201, body: order, headers: { location: `/api/orders/${order.id}` } };
  }

  /** Adds `requestId` to stored error bodies: the id of this answer, not of the first one. */
  function withRequestId(req: Request, response: StoredResponse): StoredResponse {
    if (response.status < 400 || typeof response.body !== 'object' || response.body === null) return response;
    return { ...response, body: { ...response.body, requestId: req.id } };
  }

  router.post('/api/orders', requireJsonContentType, jsonBody(), async (req, res) => {
    const rawKey = req.headers[IDEMPOTENCY_KEY_HEADER];
    if (rawKey !== undefined && !isValidIdempotencyKey(rawKey)) {
      throw new HttpError(
        400,
        'invalid_idempotency_key',
        'Idempotency-Key must be 1-255 printable ASCII characters.',
      );
    }
    const input = parseOrderInput(req.body);
    if (!input.ok) {
      throw new HttpError(400, 'validation_failed', 'The order is not valid.', {
        details: { problems: input.problems },
      });
    }
    if (rawKey === undefined) {
      send(res, withRequestId(req, await createOrder(input.value, null)));
      return;
    }

    const scopedKey = `${scopeOf(req)}|${rawKey}`;
    const fingerprint = requestFingerprint('POST', '/api/orders', req.body);
    const begun = await idempotency.begin(scopedKey, fingerprint);
    if (begun.kind === 'existing') {
      const { record } = begun;
      if (record.fingerprint !== fingerprint) {
        throw new HttpError(
          422,
          'idempotency_key_reused',
          'This Idempotency-Key was already used with a different request body.',
        );
      }
      if (record.state === 'in_flight') {
        res.setHeader('Retry-After', '1');
        throw new HttpError(
          409,
          'idempotency_in_flight',
          'A request with this Idempotency-Key is still being processed.',
        );
      }
      metrics.idempotentReplays.inc();
      req.log.info({ status: record.response.status }, 'idempotent replay');
      res.setHeader(REPLAYED_HEADER, 'true');
      send(res, withRequestId(req, record.response));
      return;
    }

    let response: StoredResponse;
    try {
      response = await createOrder(input.value, rawKey);
    } catch (error) {
      await idempotency.release(scopedKey, begun.token).catch((releaseError: unknown) => {
        req.log.error({ err: releaseError }, 'could not release the idempotency key');
      });
      throw error;
    }
    try {
      await idempotency.complete(scopedKey, begun.token, fingerprint, response);
    } catch (error) {
      // The order exists: answer it. A retry within the claim's lifetime still gets 409, not a duplicate.
      req.log.error({ err: error }, 'could not store the idempotency record');
    }
    send(res, withRequestId(req, response));
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
