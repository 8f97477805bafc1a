import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { RateLimitStoreError } from './errors/rate-limit-store-error.js';

export interface GuardedStoreOptions {
  /** The window name errors are reported under. */
  readonly window: string;
  /** Called once per failed store operation (to log and count it). */
  readonly onError: (error: RateLimitStoreError) => void;
  /**
   * Whether the backend can take the inner store's `init` now; while false, `init` waits for the next
   * `reinitialize()` (called when the backend becomes ready). @default () => true
   */
  readonly canInitialize?: () => boolean;
}

/**
 * Wraps a rate-limit store so that every failure surfaces as one typed `RateLimitStoreError` (reported once
 * through `onError`), and so that the store can be initialised again (`reinitialize()`) when its backend comes
 * back: rate-limit-redis loads its scripts in `init`, and a Redis that was down at start would otherwise leave
 * the store failing for good. Internal: `createRateLimit` wraps each per-window store that is not local.
 */
export class GuardedStore implements Store {
  readonly localKeys: boolean;
  readonly prefix?: string;
  readonly #inner: Store;
  readonly #window: string;
  readonly #onError: (error: RateLimitStoreError) => void;
  readonly #canInitialize: () => boolean;
  #options: Options | undefined;

  constructor(inner: Store, options: GuardedStoreOptions) {
    this.#inner = inner;
    this.#window = options.window;
    this.#onError = options.onError;
    this.#canInitialize = options.canInitialize ?? (() => true);
    this.localKeys = inner.localKeys ?? false;
    if (inner.prefix !== undefined) this.prefix = inner.prefix;
  }

  init(options: Options): void {
    this.#options = options;
    this.reinitialize();
  }

  /** Runs the inner store's `init` again with the limiter's options (no-op before the first `init`). */
  reinitialize(): void {
    const options = this.#options;
    if (options === undefined || this.#inner.init === undefined || !this.#canInitialize()) return;
    try {
      const result = this.#inner.init(options);
      if (result instanceof Promise) result.catch((cause: unknown) => this.#fail(cause));
    } catch (cause) {
      this.#fail(cause);
    }
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    if (this.#inner.get === undefined) return undefined;
    try {
      return await this.#inner.get(key);
    } catch (cause) {
      throw this.#fail(cause);
    }
  }

  async increment(key: string): Promise<IncrementResponse> {
    try {
      return await this.#inner.increment(key);
    } catch (cause) {
      throw this.#fail(cause);
    }
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.#inner.decrement(key);
    } catch (cause) {
      throw this.#fail(cause);
    }
  }

  async resetKey(key: string): Promise<void> {
    try {
      await this.#inner.resetKey(key);
    } catch (cause) {
      throw this.#fail(cause);
    }
  }

  async resetAll(): Promise<void> {
    await this.#inner.resetAll?.();
  }

  async shutdown(): Promise<void> {
    await this.#inner.shutdown?.();
  }

  #fail(cause: unknown): RateLimitStoreError {
    const error =
      cause instanceof RateLimitStoreError ? cause : new RateLimitStoreError([this.#window], cause);
    this.#onError(error);
    return error;
  }
}
