import { ConcurrencyLimitError, type ConcurrencyLimitReason } from './concurrency-limit-error.js';
import { createGradient2, type Gradient2 } from './gradient2.js';
import { type ConcurrencyLimiterOptions, resolveConcurrencyLimiterOptions } from './options.js';

/** A held slot. Settle it exactly once; later calls do nothing. */
export interface LimiterToken {
  /** The call completed: release the slot and sample its RTT (measured from admission unless given). */
  success(rttMs?: number): void;
  /** The call was dropped (timed out, refused for overload): release the slot and shrink the limit. */
  dropped(): void;
  /** The outcome says nothing about load (cancelled by the caller, a bad request): release without a sample. */
  ignore(): void;
}

/** Options of one `acquire`. */
export interface AcquireOptions {
  /** Aborting it while the call waits rejects with the signal's reason and frees its queue place. */
  readonly signal?: AbortSignal;
  /**
   * Higher goes first: queued calls are admitted by priority, then in arrival order, and a call may push the
   * newest call of the lowest lower priority out of a full queue.
   * @default 0
   */
  readonly priority?: number;
  /**
   * Longest wait in the queue for this call.
   * @default the limiter's `maxWaitMs`
   */
  readonly maxWaitMs?: number;
}

/** A change of the limit, given to `onLimitChange` listeners. */
export interface LimitChange {
  readonly from: number;
  readonly to: number;
}

/** An adaptive (or fixed) concurrency limit with a bounded priority queue. */
export interface ConcurrencyLimiter {
  /** The current limit: calls admitted at once. */
  readonly limit: number;
  /** Calls holding a slot. */
  readonly inFlight: number;
  /** Calls waiting for a slot. */
  readonly queued: number;
  /**
   * A slot, at once when one is free, else after a wait in the queue. Rejects with a
   * {@link ConcurrencyLimitError} when the call is not admitted, or with the signal's reason when aborted.
   */
  acquire(options?: AcquireOptions): Promise<LimiterToken>;
  /** A slot only if one is free now: a token, or `undefined` (no queueing, no error). */
  tryAcquire(): LimiterToken | undefined;
  /** Calls `listener` each time the (integer) limit changes; returns a disposer. */
  onLimitChange(listener: (change: LimitChange) => void): () => void;
  /** Refuses every queued call with reason `closed` and stops their timers. Held tokens stay valid. Idempotent. */
  close(): void;
}

interface Waiter {
  readonly priority: number;
  readonly resolve: (token: LimiterToken) => void;
  readonly reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  detach: (() => void) | undefined;
}

/**
 * Builds a concurrency limiter. Transport-neutral: wrap any async call in `acquire()` and settle the token.
 *
 * @example
 * ```ts
 * const limiter = createConcurrencyLimiter({ maxQueue: 50, maxWaitMs: 100 });
 * const token = await limiter.acquire();
 * try {
 *   const result = await call();
 *   token.success();
 *   return result;
 * } catch (error) {
 *   token.dropped();
 *   throw error;
 * }
 * ```
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions = {}): ConcurrencyLimiter {
  const config = resolveConcurrencyLimiterOptions(options);
  const { clock } = config;
  const gradient: Gradient2 | undefined =
    config.algorithm === 'gradient2' ? createGradient2(config) : undefined;
  const listeners = new Set<(change: LimitChange) => void>();
  const queue: Waiter[] = [];
  let limit = config.initialLimit;
  let inFlight = 0;
  let closed = false;

  const refusal = (reason: ConcurrencyLimitReason): ConcurrencyLimitError =>
    new ConcurrencyLimitError({ reason, limit, inFlight, retryAfterMs: config.retryAfterMs });

  const setLimit = (estimate: number): void => {
    const next = Math.floor(estimate);
    if (next === limit) return;
    const change = { from: limit, to: next };
    limit = next;
    for (const listener of [...listeners]) listener(change);
  };

  const removeWaiter = (waiter: Waiter): void => {
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    waiter.detach?.();
  };

  const drain = (): void => {
    while (inFlight < limit && queue.length > 0) {
      const waiter = queue.shift() as Waiter;
      removeWaiter(waiter);
      waiter.resolve(admit());
    }
  };

  const admit = (): LimiterToken => {
    inFlight += 1;
    const startedInFlight = inFlight;
    const startedAt = clock.now();
    let settled = false;
    const settle = (sample: { rttMs: number; dropped: boolean } | undefined): void => {
      if (settled) return;
      settled = true;
      inFlight -= 1;
      if (sample !== undefined && gradient !== undefined) {
        setLimit(gradient.update({ ...sample, inFlight: startedInFlight }));
      }
      drain();
    };
    return {
      success: (rttMs) => settle({ rttMs: rttMs ?? clock.now() - startedAt, dropped: false }),
      dropped: () => settle({ rttMs: clock.now() - startedAt, dropped: true }),
      ignore: () => settle(undefined),
    };
  };

  /** Inserts by priority (higher first), after every waiter of the same priority. */
  const enqueue = (waiter: Waiter): void => {
    let index = queue.length;
    while (index > 0 && (queue[index - 1] as Waiter).priority < waiter.priority) index -= 1;
    queue.splice(index, 0, waiter);
  };

  return {
    get limit() {
      return limit;
    },
    get inFlight() {
      return inFlight;
    },
    get queued() {
      return queue.length;
    },
    tryAcquire() {
      return !closed && inFlight < limit && queue.length === 0 ? admit() : undefined;
    },
    acquire(acquireOptions = {}) {
      const { signal } = acquireOptions;
      const priority = acquireOptions.priority ?? 0;
      const maxWaitMs = acquireOptions.maxWaitMs ?? config.maxWaitMs;
      if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) {
        return Promise.reject(
          new TypeError(`maxWaitMs must be a finite number >= 0, got ${String(maxWaitMs)}`),
        );
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (closed) return Promise.reject(refusal('closed'));
      if (inFlight < limit && queue.length === 0) return Promise.resolve(admit());
      if (config.maxQueue === 0) return Promise.reject(refusal('limit'));
      if (queue.length >= config.maxQueue) {
        const last = queue[queue.length - 1] as Waiter;
        if (last.priority >= priority) return Promise.reject(refusal('queue-full'));
        removeWaiter(last);
        last.reject(refusal('displaced'));
      }
      return new Promise<LimiterToken>((resolve, reject) => {
        const waiter: Waiter = { priority, resolve, reject, timer: undefined, detach: undefined };
        waiter.timer = setTimeout(() => {
          removeWaiter(waiter);
          reject(refusal('timeout'));
        }, maxWaitMs);
        waiter.timer.unref?.();
        if (signal !== undefined) {
          const onAbort = (): void => {
            removeWaiter(waiter);
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          waiter.detach = () => signal.removeEventListener('abort', onAbort);
        }
        enqueue(waiter);
      });
    },
    onLimitChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      for (const waiter of [...queue]) {
        removeWaiter(waiter);
        waiter.reject(refusal('closed'));
      }
      listeners.clear();
    },
  };
}
