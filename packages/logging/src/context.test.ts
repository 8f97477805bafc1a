import { stat } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getRequestId, runWithRequestContext } from './context.js';

describe('runWithRequestContext / getRequestId', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns undefined outside any request context', () => {
    expect(getRequestId()).toBeUndefined();
  });

  it('returns the id inside, and what fn returns', () => {
    const result = runWithRequestContext('req-000000000001', () => getRequestId());
    expect(result).toBe('req-000000000001');
    expect(getRequestId()).toBeUndefined();
  });

  it('keeps the id across await and promise chains', async () => {
    const seen = await runWithRequestContext('req-00000000000a', async () => {
      const ids: (string | undefined)[] = [];
      await nextTurn();
      ids.push(getRequestId());
      await Promise.resolve()
        .then(() => ids.push(getRequestId()))
        .then(() => ids.push(getRequestId()));
      return ids;
    });
    expect(seen).toEqual(Array(3).fill('req-00000000000a'));
  });

  it('keeps the id inside timer and immediate callbacks', async () => {
    // Real (0 ms) timers: fake timers run callbacks from the test's own context, so they cannot show this.
    const seen = await runWithRequestContext(
      'req-00000000000b',
      () =>
        new Promise<(string | undefined)[]>((resolve) => {
          setTimeout(() => {
            const fromTimeout = getRequestId();
            setImmediate(() => resolve([fromTimeout, getRequestId()]));
          }, 0);
        }),
    );
    expect(seen).toEqual(['req-00000000000b', 'req-00000000000b']);
  });

  it('keeps the id inside the callback of I/O started in the context', async () => {
    const seen = await runWithRequestContext(
      'req-00000000000d',
      () => new Promise<string | undefined>((resolve) => stat('.', () => resolve(getRequestId()))),
    );
    expect(seen).toBe('req-00000000000d');
  });

  it('keeps the id after awaiting a timer of any length (fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const done = runWithRequestContext('req-00000000000c', async () => {
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      return getRequestId();
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await done).toBe('req-00000000000c');
  });

  it('keeps concurrent contexts apart', async () => {
    const a = runWithRequestContext('req-a', async () => {
      await nextTurn();
      return getRequestId();
    });
    const b = runWithRequestContext('req-b', async () => {
      await nextTurn();
      return getRequestId();
    });
    expect(await Promise.all([a, b])).toEqual(['req-a', 'req-b']);
  });

  it('lets an inner context shadow the outer one and restores it after', () => {
    runWithRequestContext('outer', () => {
      expect(runWithRequestContext('inner', () => getRequestId())).toBe('inner');
      expect(getRequestId()).toBe('outer');
    });
  });

  it('throws a TypeError for an invalid request id', () => {
    expect(() => runWithRequestContext('a\r\nb', () => undefined)).toThrow(TypeError);
    expect(() => runWithRequestContext('', () => undefined)).toThrow(/requestId/);
  });

  it('throws a TypeError when fn is not a function', () => {
    // @ts-expect-error: checks the runtime guard for untyped callers
    expect(() => runWithRequestContext('req-1', 'nope')).toThrow(/fn must be a function/);
  });
});
