import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_LOCK_TTL_MS, IDEMPOTENCY_TTL_MS } from './idempotency-store.js';
import { createMemoryIdempotencyStore } from './memory-idempotency-store.js';

const RESPONSE = { status: 201, body: { id: 'o1' }, headers: { location: '/api/orders/o1' } };

function clock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('createMemoryIdempotencyStore', () => {
  it('lets one caller claim a key; others see the in-flight claim, then the completed record', async () => {
    const store = createMemoryIdempotencyStore({ generateToken: () => 't1' });
    expect(await store.begin('k', 'f')).toEqual({ kind: 'claimed', token: 't1' });
    expect(await store.begin('k', 'f')).toEqual({
      kind: 'existing',
      record: { state: 'in_flight', fingerprint: 'f', token: 't1' },
    });
    await store.complete('k', 't1', 'f', RESPONSE);
    expect(await store.begin('k', 'f')).toEqual({
      kind: 'existing',
      record: { state: 'completed', fingerprint: 'f', response: RESPONSE },
    });
  });

  it('forgets completed records after 24 hours', async () => {
    const time = clock();
    const store = createMemoryIdempotencyStore({ now: time.now });
    const claim = await store.begin('k', 'f');
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    await store.complete('k', claim.token, 'f', RESPONSE);
    time.advance(IDEMPOTENCY_TTL_MS - 1);
    expect((await store.begin('k', 'f')).kind).toBe('existing');
    time.advance(1);
    expect((await store.begin('k', 'f')).kind).toBe('claimed');
  });

  it('lets an abandoned claim expire after the lock lifetime', async () => {
    const time = clock();
    const store = createMemoryIdempotencyStore({ now: time.now });
    await store.begin('k', 'f');
    time.advance(IDEMPOTENCY_LOCK_TTL_MS);
    expect((await store.begin('k', 'f')).kind).toBe('claimed');
  });

  it('releases only its own claim', async () => {
    let n = 0;
    const store = createMemoryIdempotencyStore({ generateToken: () => `t${++n}` });
    await store.begin('k', 'f');
    await store.release('k', 'someone-else');
    expect((await store.begin('k', 'f')).kind).toBe('existing');
    await store.release('k', 't1');
    expect(await store.begin('k', 'f')).toEqual({ kind: 'claimed', token: 't2' });
  });

  it('drops the oldest records beyond maxEntries', async () => {
    const store = createMemoryIdempotencyStore({ maxEntries: 2 });
    await store.begin('a', 'f');
    await store.begin('b', 'f');
    await store.begin('c', 'f');
    expect((await store.begin('a', 'f')).kind).toBe('claimed');
    expect((await store.begin('c', 'f')).kind).toBe('existing');
  });

  it('refuses a bad maxEntries', () => {
    expect(() => createMemoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});
