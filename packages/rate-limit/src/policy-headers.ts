import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ClientRateLimitInfo } from 'express-rate-limit';

/** Partition keys remembered at most (then the cache starts over): bounded memory whatever the traffic. */
const PARTITION_KEY_CACHE_SIZE = 10_000;

/**
 * The draft-8 partition key of a client key, as express-rate-limit computes it (the base64 of the first 12 hex
 * characters of its SHA-256), remembered for the most recent clients: one hash per client, not two per request.
 */
export function createPartitionKeyCache(size = PARTITION_KEY_CACHE_SIZE): { get(key: string): string } {
  let cache = new Map<string, string>();
  return {
    get(key) {
      let partitionKey = cache.get(key);
      if (partitionKey === undefined) {
        partitionKey = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString(
          'base64',
        );
        if (cache.size >= size) cache = new Map();
        cache.set(key, partitionKey);
      }
      return partitionKey;
    },
  };
}

/**
 * Collects the IETF draft-8 `RateLimit` / `RateLimit-Policy` entries of the windows a request went through
 * (one named policy each, in the order added) and writes each header once, as one comma-separated list: the
 * same entries express-rate-limit appends one by one.
 */
export class PolicyHeaders {
  #rateLimit = '';
  #policy = '';
  readonly #partitionKey: string;
  readonly #now: () => number;

  /** `now` is read when a window is added from a per-window store's answer, after its store answered, so the reset never looks further away than it is. */
  constructor(partitionKey: string, now: () => number) {
    this.#partitionKey = partitionKey;
    this.#now = now;
  }

  /**
   * Adds a window's entries from its count (`info`; `undefined` = nothing counted yet) and returns the seconds
   * until the window resets (the `Retry-After` of a refusal).
   */
  add(
    policy: { readonly policy: string; readonly windowMs: number },
    limit: number,
    info: ClientRateLimitInfo | undefined,
  ): number {
    const windowSeconds = Math.ceil(policy.windowMs / 1000);
    const resetTime = info?.resetTime;
    const resetSeconds =
      resetTime === undefined
        ? windowSeconds
        : // Clamped to the window: a store that opened it a millisecond after `now` must not announce 61 s.
          Math.min(windowSeconds, Math.max(0, Math.ceil((resetTime.getTime() - this.#now()) / 1000)));
    const remaining = Math.max(limit - (info?.totalHits ?? 0), 0);
    this.addEntry(policy, limit, remaining, resetSeconds);
    return resetSeconds;
  }

  /** Adds a window's entries from values already computed (`resetSeconds`: the `t` parameter). */
  addEntry(
    policy: { readonly policy: string; readonly windowMs: number },
    limit: number,
    remaining: number,
    resetSeconds: number,
  ): void {
    const windowSeconds = Math.ceil(policy.windowMs / 1000);
    const separator = this.#rateLimit === '' ? '' : ', ';
    this.#rateLimit += `${separator}"${policy.policy}"; r=${remaining}; t=${resetSeconds}`;
    this.#policy += `${separator}"${policy.policy}"; q=${limit}; w=${windowSeconds}; pk=:${this.#partitionKey}:`;
  }

  /** Sets both headers (nothing when no window was added or the headers are already out). */
  write(res: ServerResponse): void {
    if (this.#rateLimit === '' || res.headersSent) return;
    res.setHeader('RateLimit', this.#rateLimit);
    res.setHeader('RateLimit-Policy', this.#policy);
  }
}
