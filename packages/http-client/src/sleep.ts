import type { CallCancellation } from './call-cancellation.js';

/**
 * Resolves `true` after `ms` (global `setTimeout`, so fake timers drive it), or `false` as soon as the call is
 * cancelled, clearing the timer. The timer is not unref()ed: it belongs to a call someone awaits, and it is
 * always cleared when that call settles.
 */
export function sleep(ms: number, cancellation: CallCancellation): Promise<boolean> {
  if (cancellation.by !== undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const stopListening = cancellation.onCancel(() => {
      clearTimeout(timer);
      resolve(false);
    });
    const timer = setTimeout(() => {
      stopListening();
      resolve(true);
    }, ms);
  });
}
