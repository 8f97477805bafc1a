import type { CheckResult } from './checks.js';
import type { RequestRecord } from './request-log.js';

export interface OrderSummary {
  readonly id: string;
  readonly idempotencyKey: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads mock-api's `GET /api/orders` body: an array, or an object holding one under `orders`/`items`/`data`. */
export function parseOrderList(body: unknown): OrderSummary[] {
  const list = Array.isArray(body)
    ? body
    : isRecord(body)
      ? [body.orders, body.items, body.data].find((candidate) => Array.isArray(candidate))
      : undefined;
  if (!Array.isArray(list)) throw new TypeError('GET /api/orders did not return a list of orders');
  return list.filter(isRecord).map((order) => ({
    id: String(order.id ?? order.orderId),
    idempotencyKey: typeof order.idempotencyKey === 'string' ? order.idempotencyKey : undefined,
  }));
}

/**
 * Every successful checkout created exactly one order: its order id appears once in the list, no
 * idempotency key has two orders, and there are no more orders than checkout attempts.
 */
export function verifyOrders(
  checkouts: readonly RequestRecord[],
  orders: readonly OrderSummary[],
  isSuccess: (request: RequestRecord) => boolean,
): CheckResult[] {
  const successful = checkouts.filter(isSuccess);
  const countById = new Map<string, number>();
  for (const order of orders) countById.set(order.id, (countById.get(order.id) ?? 0) + 1);
  const countByKey = new Map<string, number>();
  for (const order of orders) {
    if (order.idempotencyKey !== undefined) {
      countByKey.set(order.idempotencyKey, (countByKey.get(order.idempotencyKey) ?? 0) + 1);
    }
  }

  const withoutId = successful.filter((checkout) => checkout.orderId === undefined);
  const notExactlyOnce = successful.filter(
    (checkout) => checkout.orderId !== undefined && countById.get(checkout.orderId) !== 1,
  );
  const duplicateKeys = [...countByKey.entries()].filter(([, count]) => count > 1);
  const duplicateIds = [...countById.entries()].filter(([, count]) => count > 1);

  return [
    {
      kind: 'verification',
      name: 'orders: each successful checkout has exactly one order',
      expected: `${successful.length} of ${successful.length}`,
      actual:
        withoutId.length + notExactlyOnce.length === 0
          ? `${successful.length} of ${successful.length}`
          : `${successful.length - withoutId.length - notExactlyOnce.length} of ${successful.length}` +
            ` (${withoutId.length} responses without an order id, ${notExactlyOnce.length} not found exactly once)`,
      passed: successful.length > 0 && withoutId.length === 0 && notExactlyOnce.length === 0,
    },
    {
      kind: 'verification',
      name: 'orders: no idempotency key or id with two orders',
      expected: '0 duplicates',
      actual: `${duplicateKeys.length + duplicateIds.length} duplicates`,
      passed: duplicateKeys.length === 0 && duplicateIds.length === 0,
    },
    {
      kind: 'verification',
      name: 'orders: no more orders than checkout attempts',
      expected: `<= ${checkouts.length}`,
      actual: String(orders.length),
      passed: orders.length <= checkouts.length,
    },
  ];
}
