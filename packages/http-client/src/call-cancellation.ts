/** Who cancelled a call. */
export type Cancellation = 'caller' | 'deadline';

/**
 * The cancellation state of one logical call, shared by its attempts and backoff waits. A plain object with
 * at most a couple of listeners: an AbortController per call (and EventTarget listeners) cost more than the
 * rest of the policy on the hot path.
 */
export class CallCancellation {
  #by: Cancellation | undefined;
  #listeners: Array<() => void> = [];

  get by(): Cancellation | undefined {
    return this.#by;
  }

  cancel(by: Cancellation): void {
    if (this.#by !== undefined) return;
    this.#by = by;
    const listeners = this.#listeners;
    // Stryker disable next-line ArrayDeclaration: cancel() runs once, so what the new array holds is never read
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  /** Calls `listener` once when the call is cancelled; returns a function that removes it. */
  onCancel(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index !== -1) this.#listeners.splice(index, 1);
    };
  }
}
