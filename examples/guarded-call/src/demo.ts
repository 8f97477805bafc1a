import type { Logger } from '@resilience/logging';
import type { FakeQueue } from './fake-queue.js';
import type { GuardedPublisher, PublishOutcome } from './publisher.js';

export interface DemoOptions {
  readonly queue: FakeQueue;
  readonly publisher: GuardedPublisher;
  readonly logger: Logger;
  /** Publishes that fail before the first message goes through. */
  readonly flakyFailures: number;
  /** Ends the demo between steps (SIGTERM). */
  readonly signal?: AbortSignal;
}

export interface DemoSummary {
  /** Each message's outcome, in order; the demo stops early (fewer entries) when `signal` aborts. */
  readonly outcomes: readonly (PublishOutcome['outcome'] | 'skipped')[];
  /** Publishes that reached the queue, failed ones included. */
  readonly queueCalls: number;
}

/**
 * Four messages through a queue that misbehaves on cue:
 * 1. flaky: the first `flakyFailures` publishes fail, so message 1 goes through on a retry;
 * 2. outage: every publish fails, so message 2 fails once the breaker opens (after its threshold of attempts);
 * 3. message 3 is refused by the open breaker at once, without touching the queue;
 * 4. the queue is back: after the breaker's reset time one trial publish goes through and closes it.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { queue, publisher, logger, signal } = options;
  const outcomes: DemoSummary['outcomes'][number][] = [];
  const steps: { name: string; before: () => Promise<void> | void }[] = [
    { name: 'flaky queue', before: () => queue.failNext(options.flakyFailures) },
    { name: 'queue down', before: () => queue.setDown(true) },
    { name: 'queue still down, breaker open', before: () => undefined },
    {
      name: 'queue back, waiting for the breaker to let a trial through',
      before: async () => {
        queue.setDown(false);
        await keepingAlive(Promise.race([publisher.whenState('HALF_OPEN'), aborted(signal)]));
      },
    },
  ];
  for (const [index, step] of steps.entries()) {
    if (signal?.aborted) break;
    logger.info({ step: index + 1, breaker: publisher.state() }, step.name);
    await step.before();
    if (signal?.aborted) break;
    const result = await publisher.publish(
      { topic: 'orders', body: JSON.stringify({ order: index + 1 }) },
      signal,
    );
    outcomes.push(result.outcome);
  }
  return { outcomes, queueCalls: queue.calls };
}

/**
 * Holds the event loop open until `promise` settles. The breaker's reset timer is `unref()`ed (a breaker must
 * never keep a process alive), so a script whose only pending work is that timer would exit before it fires.
 */
async function keepingAlive<T>(promise: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    return await promise;
  } finally {
    clearInterval(keepAlive);
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
