import { describe, expect, it } from 'vitest';
import { MAX_QUANTITY, parseCheckoutInput, resolveIdempotencyKey } from './checkout-input.js';

describe('parseCheckoutInput', () => {
  it.each([[{ itemId: 'item-1', quantity: 1 }], [{ itemId: 7, quantity: MAX_QUANTITY }]])(
    'accepts %j',
    (body) => {
      expect(parseCheckoutInput(body)).toEqual({ ok: true, value: body });
    },
  );

  it('keeps only itemId and quantity', () => {
    expect(parseCheckoutInput({ itemId: 'a', quantity: 2, price: 0 })).toEqual({
      ok: true,
      value: { itemId: 'a', quantity: 2 },
    });
  });

  it.each([
    [null, ['body']],
    ['text', ['body']],
    [[{ itemId: 'a', quantity: 1 }], ['body']],
    [{}, ['itemId', 'quantity']],
    [{ itemId: '', quantity: 1 }, ['itemId']],
    [{ itemId: 'a'.repeat(65), quantity: 1 }, ['itemId']],
    [{ itemId: '../etc', quantity: 1 }, ['itemId']],
    [{ itemId: 0, quantity: 1 }, ['itemId']],
    [{ itemId: 1.5, quantity: 1 }, ['itemId']],
    [{ itemId: 'a', quantity: 0 }, ['quantity']],
    [{ itemId: 'a', quantity: -1 }, ['quantity']],
    [{ itemId: 'a', quantity: 1.5 }, ['quantity']],
    [{ itemId: 'a', quantity: '2' }, ['quantity']],
    [{ itemId: 'a', quantity: MAX_QUANTITY + 1 }, ['quantity']],
  ])('rejects %j naming %j', (body, fields) => {
    const result = parseCheckoutInput(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field)).toEqual(fields);
  });
});

describe('resolveIdempotencyKey', () => {
  it('keeps a valid inbound key', () => {
    expect(resolveIdempotencyKey('order-42', () => 'generated')).toEqual({ ok: true, value: 'order-42' });
  });

  it('generates one when none was sent', () => {
    expect(resolveIdempotencyKey(undefined, () => 'generated')).toEqual({ ok: true, value: 'generated' });
    const key = resolveIdempotencyKey(undefined);
    expect(key.ok && key.value).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each(['', 'x'.repeat(256), 'tab\tinside', 'caf\u00e9'])('refuses the invalid key %j', (header) => {
    const result = resolveIdempotencyKey(header, () => 'generated');
    expect(result.ok).toBe(false);
  });
});
