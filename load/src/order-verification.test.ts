import { describe, expect, it } from 'vitest';
import { request } from '../test/helpers/records.js';
import { parseOrderList, verifyOrders } from './order-verification.js';
import { is2xx } from './traffic-stats.js';

const checkout = (orderId: string | undefined, status = 201) =>
  request({ name: 'checkout', method: 'POST', status, ...(orderId === undefined ? {} : { orderId }) });

describe('parseOrderList', () => {
  it('reads mock-api { orders, total } and plain arrays', () => {
    expect(
      parseOrderList({
        orders: [{ id: 'o1', idempotencyKey: 'k1', createdAt: '2026-01-01T00:00:01.000Z' }],
        total: 1,
      }),
    ).toEqual([{ id: 'o1', idempotencyKey: 'k1' }]);
    expect(parseOrderList([{ id: 7 }])).toEqual([{ id: '7', idempotencyKey: undefined }]);
    expect(() => parseOrderList({ nope: true })).toThrow(TypeError);
  });
});

describe('verifyOrders', () => {
  it('passes when every successful checkout has exactly one order', () => {
    const results = verifyOrders(
      [checkout('o1'), checkout('o2'), checkout(undefined, 502)],
      [
        { id: 'o1', idempotencyKey: 'k1' },
        { id: 'o2', idempotencyKey: 'k2' },
        // The failed checkout's order may exist: allowed.
        { id: 'o3', idempotencyKey: 'k3' },
      ],
      is2xx,
    );
    expect(results.map((result) => result.passed)).toEqual([true, true, true]);
  });

  it('fails on a missing order, a duplicated key, or more orders than attempts', () => {
    const [missing] = verifyOrders(
      [checkout('o1'), checkout('o9')],
      [{ id: 'o1', idempotencyKey: 'k1' }],
      is2xx,
    );
    expect(missing?.passed).toBe(false);

    const [, duplicate, tooMany] = verifyOrders(
      [checkout('o1')],
      [
        { id: 'o1', idempotencyKey: 'k1' },
        { id: 'o2', idempotencyKey: 'k1' },
      ],
      is2xx,
    );
    expect(duplicate?.passed).toBe(false);
    expect(tooMany?.passed).toBe(false);
  });
});
