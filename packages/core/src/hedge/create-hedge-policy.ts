import { createExtraLoadCap } from './extra-load-cap.js';
import { HedgeCancelledError } from './hedge-cancelled-error.js';
import { createLatencyTracker } from './latency-tracker.js';
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
  /** Hedges due but refused by `mayHedge()`. */
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
  /** The delay the next call would hedge after, or `undefined` when it would not hedge (too few samples). */
  currentDelayMs(): number | undefined;
  stats(): HedgeStats;
  /** The resolved options. */
  readonly options: ResolvedHedgePolicyOptions;
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
 * A hedging policy for one upstream (one latency history, one extra-load cap): create one per upstream key and
 * share it between the calls to that upstream.
 */
export function createHedgePolicy(options?: HedgePolicyOptions): HedgePolicy {
  const resolved = resolveHedgePolicyOptions(options);
  const { clock, maxAttempts, delayMs } = resolved;
  const tracker = createLatencyTracker(resolved.latencyWindow, resolved.minSamples);
  const cap = createExtraLoadCap(resolved.maxExtraRatio, resolved.ratioWindow);
  const counters = {
    calls: 0,
    hedgesSent: 0,
    hedgesWon: 0,
    cancelled: 0,
    refusedByRatio: 0,
    refusedByCaller: 0,
  };

  function currentDelayMs(): number | undefined {
    return delayMs === 'p95' ? tracker.p95() : delayMs;
  }

  function run<T>(attempt: HedgedAttempt<T>, context: HedgeCallContext = {}): Promise<T> {
    const { signal } = context;
    if (signal?.aborted) return Promise.reject(signal.reason);
    counters.calls += 1;
    cap.credit();
    const hedgeDelay = maxAttempts > 1 ? currentDelayMs() : undefined;

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
          outcome = attempt(controller.signal, index);
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
            const final = context.isFinalFailure?.(error) ?? false;
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
          if (!(context.mayHedge?.() ?? true)) {
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
    currentDelayMs,
    stats: () => ({ ...counters }),
    options: resolved,
  };
}
