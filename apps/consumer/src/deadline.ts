import type { Clock } from './clock.js';
import { InboundDeadlineError } from './errors/inbound-deadline-error.js';

/** The budget of one inbound request. */
export interface Deadline {
  /** Clock time at which the inbound request must have been answered. */
  readonly at: number;
  /** The whole budget (`REQUEST_DEADLINE_MS`), for messages. */
  readonly budgetMs: number;
}

/**
 * Runs `call` with what is left of `deadline`, and settles no later than the deadline on `clock`: when the
 * budget runs out first, the signal given to `call` is aborted and the result rejects at once with an
 * `InboundDeadlineError`, whatever `call` does afterwards (its late result is ignored).
 */
export function withinDeadline<T>(
  clock: Clock,
  deadline: Deadline,
  call: (signal: AbortSignal, remainingMs: number) => Promise<T>,
): Promise<T> {
  const remainingMs = deadline.at - clock.now();
  if (remainingMs <= 0) return Promise.reject(new InboundDeadlineError(deadline.budgetMs));

  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      const error = new InboundDeadlineError(deadline.budgetMs);
      controller.abort(error);
      reject(error);
    }, remainingMs);
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      settle();
    };
    let pending: Promise<T>;
    try {
      pending = call(controller.signal, remainingMs);
    } catch (error) {
      finish(() => reject(error));
      return;
    }
    pending.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
