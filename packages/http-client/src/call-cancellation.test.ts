import { describe, expect, it, vi } from 'vitest';
import { CallCancellation } from './call-cancellation.js';

describe('CallCancellation', () => {
  it('is not cancelled until cancel()', () => {
    expect(new CallCancellation().by).toBeUndefined();
  });

  it('records who cancelled and calls every listener once, in order', () => {
    const call = new CallCancellation();
    const calls: string[] = [];
    call.onCancel(() => calls.push(`first ${String(call.by)}`));
    call.onCancel(() => calls.push(`second ${String(call.by)}`));
    call.cancel('deadline');
    expect(call.by).toBe('deadline');
    expect(calls).toEqual(['first deadline', 'second deadline']);
  });

  it('keeps the first cancellation: a later one neither changes who nor calls listeners again', () => {
    const call = new CallCancellation();
    const listener = vi.fn();
    call.onCancel(listener);
    call.cancel('caller');
    call.cancel('deadline');
    expect(call.by).toBe('caller');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('drops its listeners once cancelled: one added inside a listener is not called', () => {
    const call = new CallCancellation();
    const late = vi.fn();
    call.onCancel(() => call.onCancel(late));
    call.cancel('caller');
    expect(late).not.toHaveBeenCalled();
  });

  it('returns a function that removes that listener only, and is harmless to call twice', () => {
    const call = new CallCancellation();
    const removed = vi.fn();
    const kept = vi.fn();
    const stop = call.onCancel(removed);
    call.onCancel(kept);
    stop();
    stop();
    call.cancel('caller');
    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });
});
