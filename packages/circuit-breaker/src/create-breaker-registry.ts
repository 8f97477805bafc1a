import { AsyncResource } from 'node:async_hooks';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { Listeners } from './listeners.js';
import { type CircuitBreakerOptions, describe, resolveCircuitBreakerOptions } from './options.js';
import type { CircuitBreaker, CircuitBreakerStats, CircuitState, Unsubscribe } from './types.js';

/** Options of {@link createBreakerRegistry}: the options every breaker gets, plus the size bound. */
export interface BreakerRegistryOptions extends Omit<CircuitBreakerOptions, 'name'> {
  /**
   * Most breakers kept. When a new key would exceed it, the least recently used CLOSED breaker
   * with no call in flight is shut down and forgotten (it only held a failure count). OPEN and
   * HALF_OPEN breakers are never evicted, since forgetting one would send traffic to an upstream
   * known to be down: if no breaker can be evicted, the registry grows past the bound and shrinks
   * back as breakers close and new keys arrive.
   * @default 100
   */
  maxBreakers?: number | undefined;
}

export const DEFAULT_BREAKER_REGISTRY_OPTIONS = Object.freeze({ maxBreakers: 100 });

export interface RegistryStateChangeEvent {
  readonly key: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

export interface BreakerSnapshot extends CircuitBreakerStats {
  readonly key: string;
}

/** One breaker per key (for example per upstream origin, see `upstreamKey`). */
export interface BreakerRegistry {
  /**
   * The breaker for `key`, created with the shared options on first use (its name is the key).
   * Call it per use rather than keeping the breaker: an evicted breaker is shut down.
   * After `shutdown()` it returns a breaker that is already shut down (it rejects every call).
   */
  get(key: string): CircuitBreaker;
  /** Stats of every breaker, most recently used last. */
  snapshot(): BreakerSnapshot[];
  /** Registry-wide state changes (for metrics and logs); returns an unsubscribe function. */
  onStateChange(listener: (event: RegistryStateChangeEvent) => void): Unsubscribe;
  /** Shuts every breaker down and forgets them. Idempotent. */
  shutdown(): void;
  /** Number of breakers held. */
  readonly size: number;
}

export function createBreakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  const { maxBreakers: maxOption, ...breakerOptions } = options;
  const maxBreakers = maxOption ?? DEFAULT_BREAKER_REGISTRY_OPTIONS.maxBreakers;
  if (!Number.isSafeInteger(maxBreakers) || maxBreakers < 1) {
    throw new TypeError(`options.maxBreakers must be an integer >= 1, got ${describe(maxBreakers)}`);
  }
  // Validate the shared breaker options once, at construction.
  resolveCircuitBreakerOptions(breakerOptions);

  // Map iteration order is insertion order: re-inserting on use keeps the oldest first.
  const breakers = new Map<string, CircuitBreaker>();
  const stateChange = new Listeners<RegistryStateChangeEvent>();
  let shutDown = false;
  /** The async context the registry was created in, where its breakers are created (see `get`). */
  const home = new AsyncResource('BreakerRegistry');
  /** The key last used: asking for it again (the common case, one upstream) needs no re-insertion. */
  let mostRecentKey: string | undefined;

  const evictIfNeeded = (): void => {
    // Stryker disable next-line ConditionalExpression: the loop's first check repeats this one
    if (breakers.size < maxBreakers) return;
    for (const [key, breaker] of breakers) {
      if (breakers.size < maxBreakers) return;
      if (breaker.state === 'CLOSED' && breaker.stats().inFlight === 0) {
        breakers.delete(key);
        breaker.shutdown();
      }
    }
  };

  return {
    get(key: string): CircuitBreaker {
      if (typeof key !== 'string' || key.length === 0) {
        throw new TypeError(`key must be a non-empty string, got ${describe(key)}`);
      }
      const existing = breakers.get(key);
      if (existing !== undefined) {
        // Stryker disable next-line ConditionalExpression: re-inserting the most recent key leaves the order as it was
        if (key !== mostRecentKey) {
          breakers.delete(key);
          breakers.set(key, existing);
          mostRecentKey = key;
        }
        return existing;
      }
      // Created in the registry's own async context, not in that of the request that first named the key: the
      // breaker's timer-driven events (HALF_OPEN) then carry no request's context.
      const breaker = home.runInAsyncScope(() => createCircuitBreaker({ ...breakerOptions, name: key }));
      if (shutDown) {
        breaker.shutdown();
        return breaker;
      }
      evictIfNeeded();
      breaker.onStateChange(({ from, to }) => stateChange.emit({ key, from, to }));
      breakers.set(key, breaker);
      mostRecentKey = key;
      return breaker;
    },
    snapshot(): BreakerSnapshot[] {
      return [...breakers].map(([key, breaker]) => ({ key, ...breaker.stats() }));
    },
    onStateChange(listener: (event: RegistryStateChangeEvent) => void): Unsubscribe {
      return stateChange.add(listener);
    },
    shutdown(): void {
      shutDown = true;
      for (const breaker of breakers.values()) breaker.shutdown();
      breakers.clear();
      mostRecentKey = undefined;
      stateChange.clear();
    },
    get size(): number {
      return breakers.size;
    },
  };
}
