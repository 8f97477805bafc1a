/**
 * Resolves after `ms` (global `setTimeout`, so fake timers drive it); rejects with `signal.reason` as soon as
 * `signal` aborts, clearing the timer. The timer is not unref()ed: it belongs to a call someone awaits, and it is
 * always cleared when that call settles.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
