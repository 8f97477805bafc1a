type AbortListener = (event: { readonly type: 'abort' }) => void;

/**
 * The cancellation signal of one attempt: `aborted`, `reason`, `addEventListener('abort')` and
 * `removeEventListener`, which is all axios reads from a signal. A real AbortController (and EventTarget
 * listeners) per attempt is costly to create; this costs nothing until it is aborted.
 * `callWithProtection` converts it into a real `AbortSignal` for the function it protects.
 */
export class AttemptSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: AbortListener | null = null;
  #listeners: AbortListener[] | undefined;

  addEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort') return;
    this.#listeners ??= [];
    this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort' || this.#listeners === undefined) return;
    const index = this.#listeners.indexOf(listener);
    if (index !== -1) this.#listeners.splice(index, 1);
  }

  /** Aborts once: sets `aborted` and `reason`, then calls `onabort` and every listener with an abort event. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: 'abort' } as const;
    this.onabort?.(event);
    const listeners = this.#listeners ?? [];
    this.#listeners = undefined;
    for (const listener of listeners) listener.call(this, event);
  }

  /** A real `AbortSignal` that aborts with this one (for APIs that need one, like `fetch`). */
  toAbortSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.aborted) controller.abort(this.reason);
    else this.addEventListener('abort', () => controller.abort(this.reason));
    return controller.signal;
  }
}
