import { describe, expect, it, vi } from 'vitest';
import { AttemptSignal } from './attempt-signal.js';

describe('AttemptSignal', () => {
  it('starts not aborted, without a reason', () => {
    const signal = new AttemptSignal();
    expect(signal.aborted).toBe(false);
    expect(signal.reason).toBeUndefined();
    expect(signal.onabort).toBeNull();
  });

  it('aborts with a reason and calls onabort, then every listener in order, with an abort event', () => {
    const signal = new AttemptSignal();
    const calls: string[] = [];
    const reason = new Error('timeout');
    signal.onabort = (event) => calls.push(`onabort ${event.type} ${String(signal.aborted)}`);
    signal.addEventListener('abort', (event) => calls.push(`first ${event.type}`));
    signal.addEventListener('abort', function (this: unknown, event) {
      calls.push(`second ${event.type} ${String(this === signal)}`);
    });
    signal.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(calls).toEqual(['onabort abort true', 'first abort', 'second abort true']);
  });

  it('aborts once: a second abort changes nothing and calls nobody', () => {
    const signal = new AttemptSignal();
    const listener = vi.fn();
    const onabort = vi.fn();
    signal.onabort = onabort;
    signal.addEventListener('abort', listener);
    signal.abort('first');
    signal.abort('second');
    expect(signal.reason).toBe('first');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(onabort).toHaveBeenCalledTimes(1);
  });

  it('ignores listeners for other events', () => {
    const signal = new AttemptSignal();
    const listener = vi.fn();
    signal.addEventListener('close', listener);
    signal.abort('x');
    expect(listener).not.toHaveBeenCalled();
  });

  it('removes a listener, and only that one', () => {
    const signal = new AttemptSignal();
    const removed = vi.fn();
    const kept = vi.fn();
    signal.addEventListener('abort', removed);
    signal.addEventListener('abort', kept);
    signal.removeEventListener('abort', removed);
    signal.removeEventListener('abort', removed);
    signal.removeEventListener('abort', vi.fn());
    signal.abort('x');
    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });

  it('keeps a listener when one for another event type is removed', () => {
    const signal = new AttemptSignal();
    const listener = vi.fn();
    signal.addEventListener('abort', listener);
    signal.removeEventListener('close', listener);
    signal.abort('x');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('removing from a signal without listeners is a no-op', () => {
    const signal = new AttemptSignal();
    expect(() => signal.removeEventListener('abort', vi.fn())).not.toThrow();
    signal.abort('x');
    expect(signal.aborted).toBe(true);
  });

  it('calls no listener twice when a listener aborts again or adds another', () => {
    const signal = new AttemptSignal();
    const late = vi.fn();
    const listener = vi.fn(() => {
      signal.abort('again');
      signal.addEventListener('abort', late);
    });
    signal.addEventListener('abort', listener);
    signal.abort('x');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(late).not.toHaveBeenCalled();
  });

  it('gives a real AbortSignal that aborts with it, with the same reason', () => {
    const signal = new AttemptSignal();
    const real = signal.toAbortSignal();
    expect(real).toBeInstanceOf(AbortSignal);
    expect(real.aborted).toBe(false);
    const reason = new Error('deadline');
    signal.abort(reason);
    expect(real.aborted).toBe(true);
    expect(real.reason).toBe(reason);
  });

  it('gives an already aborted AbortSignal once aborted', () => {
    const signal = new AttemptSignal();
    signal.abort('gone');
    const real = signal.toAbortSignal();
    expect(real.aborted).toBe(true);
    expect(real.reason).toBe('gone');
  });
});
