import { describe, expect, it } from 'vitest';
import { createMemoryOrderStore } from './memory-order-store.js';
import { IDEMPOTENCY_TTL_MS, type Order } from './order-store.js';

function order(id: string, key: string | null = null): Order {
  return {
    id,
    itemId: '1',
    quantity: 1,
    unitPriceCents: 100,
    totalCents: 100,
    currency: 'EUR',
    status: 'confirmed',
    idempotencyKey: key,
    createdAt: '2026-12-03T00:00:00.000Z',
  };
}

describe('createMemoryOrderStore', () => {
  it('saves the first order of a key and returns it, saving nothing, for every later one', async () => {
    const store = createMemoryOrderStore({ now: () => 0 });
    expect(await store.saveOnce('s|k', 'f1', order('a', 'k'))).toEqual({ kind: 'created' });
    expect(await store.saveOnce('s|k', 'f2', order('b', 'k'))).toEqual({
      kind: 'existing',
      record: { fingerprint: 'f1', order: order('a', 'k') },
    });
    expect(await store.get('b')).toBeUndefined();
    expect((await store.list(10)).total).toBe(1);
  });

  it('keeps a key for IDEMPOTENCY_TTL_MS, then lets it create again', async () => {
    let time = 1_000;
    const store = createMemoryOrderStore({ now: () => time });
    await store.saveOnce('s|k', 'f', order('a', 'k'));
    time += IDEMPOTENCY_TTL_MS - 1;
    expect((await store.saveOnce('s|k', 'f', order('b', 'k'))).kind).toBe('existing');
    time += 1;
    expect((await store.saveOnce('s|k', 'f', order('b', 'k'))).kind).toBe('created');
  });

  it('keeps at most maxEntries orders and keys, dropping the oldest', async () => {
    const store = createMemoryOrderStore({ maxEntries: 2, now: () => 0 });
    await store.saveOnce('k1', 'f', order('a'));
    await store.saveOnce('k2', 'f', order('b'));
    await store.saveOnce('k3', 'f', order('c'));
    expect((await store.list(10)).orders.map((o) => o.id)).toEqual(['c', 'b']);
    expect((await store.saveOnce('k1', 'f', order('d'))).kind).toBe('created');
    expect((await store.saveOnce('k3', 'f', order('e'))).kind).toBe('existing');
  });

  it('rejects a maxEntries that is not a positive integer, naming it', () => {
    expect(() => createMemoryOrderStore({ maxEntries: 0 })).toThrow(
      'createMemoryOrderStore: maxEntries must be a positive integer, got 0',
    );
  });
});
