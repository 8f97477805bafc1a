/**
 * A minimal typed listener list. A listener that throws does not disturb the breaker
 * or the other listeners: its error is rethrown on a microtask, where it surfaces as an
 * uncaught exception like an EventEmitter listener error would.
 */
export class Listeners<E> {
  readonly #listeners = new Set<(event: E) => void>();

  add(listener: (event: E) => void): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError('listener must be a function');
    }
    // Wrap so the same function can be subscribed twice and unsubscribed independently.
    const entry = (event: E): void => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(event: E): void {
    // Stryker disable next-line ConditionalExpression: a fast path; iterating an empty copy does the same
    if (this.#listeners.size === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
