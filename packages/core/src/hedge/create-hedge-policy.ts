import { createExtraLoadCap, type ExtraLoadCap } from './extra-load-cap.js';
import { HedgeCancelledError } from './hedge-cancelled-error.js';
import { createLatencyTracker, type LatencyTracker } from './latency-tracker.js';
import {
  type HedgePolicyOptions,
  type ResolvedHedgePolicyOptions,
  resolveHedgePolicyOptions,
} from './options.js';

/** One attempt of a hedged call: `index` 0 is the primary, 1.. are hedges. Must stop its work when `signal` aborts. */
export type HedgedAttempt<T> = (signal: AbortSignal, index: number) => Promise<T>;

/** Why a hedge that was due did not go out. */
export type HedgeRefusal = 'ratio' | 'caller';

/** Per-call hooks; each is optional and a throwing hook is ignored. */
export interface HedgeCallHooks {
  /** A hedge was sent: attempt `index`, after `delayMs` of the previous one pending. */
  onHedge?(event: { readonly index: number; readonly delayMs: number }): void;
  /** Attempt `index` succeeded first; `hedged` is true when it is not the primary. */
  onWin?(event: { readonly index: number; readonly hedged: boolean }): void;
  /** Attempt `index` was still pending when the call settled and was aborted. */
  onCancel?(event: { readonly index: number }): void;
  /** A hedge was due but not sent: the extra-load cap (`ratio`) or `mayHedge()` (`caller`) refused it. */
  onRefuse?(event: { readonly index: number; readonly reason: HedgeRefusal }): void;
}

/** What the caller of `run` decides for this call. */
export interface HedgeCallContext extends HedgeCallHooks {
  /**
   * Asked once per hedge about to be sent (never for the primary), after the extra-load cap allowed it. Return
   * false to refuse it (the upstream's breaker is open, the shared retry budget refuses); returning true means the
   * caller has accounted for the extra attempt (spent its retry-budget token). A refusal ends hedging for the call.
   * @default `() => true`
   */
  mayHedge?(): boolean;
  /**
   * A failure that ends the call at once (a 4xx that a hedge would only repeat): the others are aborted and the
   * error is thrown. Other failures wait for the attempts still pending.
   * @default `() => false`
   */
  isFinalFailure?(error: unknown): boolean;
  /** Aborts every attempt and rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * The upstream this call goes to (for example `upstreamKey(url)`): each key has its own latency history and
   * extra-load cap. At most `maxKeys` keys are kept; the least recently used is dropped.
   * @default ''
   */
  key?: string;
}

/** Counters since the policy was created. */
export interface HedgeStats {
  /** Calls to `run` (primary attempts). */
  readonly calls: number;
  /** Hedges sent (attempts after the primary). */
  readonly hedgesSent: number;
  /** Calls won by a hedge rather than the primary. */
  readonly hedgesWon: number;
  /** Attempts aborted because the call settled while they were pending. */
  readonly cancelled: number;
  /** Hedges due but refused by the extra-load cap. */
  readonly refusedByRatio: number;
  /** Hedges due but refused by `mayHedge()` (or because it threw). */
  readonly refusedByCaller: number;
}

export interface HedgePolicy {
  /**
   * Runs `attempt` as the primary; while it is pending after the hedge delay, and the cap and `mayHedge()` allow,
   * starts the next attempt (up to `maxAttempts`). The first success wins and the others are aborted. When every
   * attempt sent has failed, rejects with the error of the last one to fail (no new attempt is started for a
   * failure: that is the retry loop's job). With `delayMs: 'p95'` each winning attempt's own latency is recorded.
   */
  run<T>(attempt: HedgedAttempt<T>, context?: HedgeCallContext): Promise<T>;
  /** The delay the next call to `key` would hedge after, or `undefined` when it would not hedge (too few samples). */
  currentDelayMs(key?: string): number | undefined;
  stats(): HedgeStats;
  /** The resolved options. */
  readonly options: ResolvedHedgePolicyOptions;
}

interface UpstreamState {
  readonly tracker: LatencyTracker;
  readonly cap: ExtraLoadCap;
}

/** Calls a caller's predicate; one that throws counts as `fallback`. */
function ask(predicate: () => boolean, fallback: boolean): boolean {
  try {
    return predicate();
  } catch {
    return fallback;
  }
}

function callHook<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A hook never changes the outcome of the call.
  }
}

/**
 * A hedging policy: one per client (or per kind of call), shared by its calls; each call's `key` (its upstream)
 * selects a latency history and an extra-load cap.
 */
export function createHedgePolicy(options?: HedgePolicyOptions): HedgePolicy {
  const resolved = resolveHedgePolicyOptions(options);
  const { clock, maxAttempts, delayMs } = resolved;
  const upstreams = new Map<string, UpstreamState>();
  const counters = {
    calls: 0,
    hedgesSent: 0,
    hedgesWon: 0,
    cancelled: 0,
    refusedByRatio: 0,
    refusedByCaller: 0,
  };

  /** The state of `key`, created on first use; the least recently used key goes when there are too many. */
  function upstream(key: string): UpstreamState {
    let state = upstreams.get(key);
    if (state === undefined) {
      state = {
        tracker: createLatencyTracker(resolved.latencyWindow, resolved.minSamples),
        cap: createExtraLoadCap(resolved.maxExtraRatio, resolved.ratioWindow),
      };
      if (upstreams.size >= resolved.maxKeys) {
        const oldest = upstreams.keys().next().value;
        if (oldest !== undefined) upstreams.delete(oldest);
      }
    } else {
      upstreams.delete(key);
    }
    upstreams.set(key, state);
    return state;
  }

  function delayFor(state: UpstreamState | undefined): number | undefined {
    if (delayMs !== 'p95') return delayMs;
    return state?.tracker.p95();
  }

  function run<T>(attempt: HedgedAttempt<T>, context: HedgeCallContext = {}): Promise<T> {
    const { signal } = context;
    if (signal?.aborted) return Promise.reject(signal.reason);
    counters.calls += 1;
    const state = upstream(context.key ?? '');
    const { tracker, cap } = state;
    cap.credit();
    const hedgeDelay = maxAttempts > 1 ? delayFor(state) : undefined;

    return new Promise<T>((resolve, reject) => {
      const controllers: AbortController[] = [];
      const pending = new Set<number>();
      let settled = false;
      let timer: unknown;

      const finish = (): void => {
        settled = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };

      const cancelPending = (why: 'lost' | 'failed'): void => {
        for (const index of pending) {
          counters.cancelled += 1;
          controllers[index]?.abort(new HedgeCancelledError(index, why));
          callHook(context.onCancel, { index });
        }
        pending.clear();
      };

      function onAbort(): void {
        if (settled) return;
        finish();
        cancelPending('failed');
        reject(signal?.reason);
      }
      signal?.addEventListener('abort', onAbort, { once: true });

      const start = (index: number): void => {
        const controller = new AbortController();
        controllers[index] = controller;
        pending.add(index);
        const startedAt = clock.now();
        let outcome: Promise<T>;
        try {
          outcome = Promise.resolve(attempt(controller.signal, index));
        } catch (error) {
          outcome = Promise.reject(error);
        }
        outcome.then(
          (value) => {
            if (settled) return;
            pending.delete(index);
            finish();
            if (delayMs === 'p95') tracker.record(clock.now() - startedAt);
            if (index > 0) counters.hedgesWon += 1;
            callHook(context.onWin, { index, hedged: index > 0 });
            cancelPending('lost');
            resolve(value);
          },
          (error: unknown) => {
            if (settled) return;
            pending.delete(index);
            const final = ask(() => context.isFinalFailure?.(error) ?? false, false);
            // Polly's choice: a failure waits for the attempts still pending. When none is left, the failure goes to
            // the retry loop at once (with its backoff and budget) instead of waiting for the next hedge's delay.
            if (!final && pending.size > 0) return;
            finish();
            cancelPending('failed');
            reject(error);
          },
        );
      };

      const scheduleHedge = (index: number): void => {
        if (hedgeDelay === undefined || index >= maxAttempts) return;
        timer = clock.setTimeout(() => {
          timer = undefined;
          if (settled) return;
          if (!cap.canSpend()) {
            counters.refusedByRatio += 1;
            callHook(context.onRefuse, { index, reason: 'ratio' });
            return;
          }
          if (!ask(() => context.mayHedge?.() ?? true, false)) {
            counters.refusedByCaller += 1;
            callHook(context.onRefuse, { index, reason: 'caller' });
            return;
          }
          cap.spend();
          counters.hedgesSent += 1;
          callHook(context.onHedge, { index, delayMs: hedgeDelay });
          scheduleHedge(index + 1);
          start(index);
        }, hedgeDelay);
      };

      start(0);
      if (!settled) scheduleHedge(1);
    });
  }

  return {
    run,
    currentDelayMs: (key = '') => delayFor(upstreams.get(key)),
    stats: () => ({ ...counters }),
    options: resolved,
  };
}
