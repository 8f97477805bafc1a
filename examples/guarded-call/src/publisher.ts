import {
  type CircuitState,
  createProtection,
  isCircuitOpenError,
  type Protection,
  type ProtectionHooks,
} from '@resilience/http-client';
import type { Logger } from '@resilience/logging';
import type { GuardedCallConfig } from './config.js';
import { isMessageRejectedError } from './errors/message-rejected-error.js';
import type { FakeQueue, QueueMessage } from './fake-queue.js';

/** The breaker key, and the label of the call in the protection's log lines. */
export const QUEUE_KEY = 'queue';

/** What one guarded publish ended with. `attempts` counts the calls that reached the queue. */
export type PublishOutcome =
  | { readonly outcome: 'published'; readonly offset: number; readonly attempts: number }
  | { readonly outcome: 'failed'; readonly attempts: number; readonly error: unknown }
  | { readonly outcome: 'circuit-open'; readonly attempts: 0; readonly retryAfterMs: number };

export interface GuardedPublisher {
  /** Publishes under the protection; never rejects: the outcome is logged and returned. */
  publish(message: QueueMessage, signal?: AbortSignal): Promise<PublishOutcome>;
  /** The queue breaker's state. */
  state(): CircuitState;
  /** Resolves when the queue breaker next reaches `state` (at once if it is there). */
  whenState(state: CircuitState): Promise<void>;
}

export interface ProtectionFactoryOptions {
  readonly logger: Logger;
  /** @default none */
  readonly hooks?: ProtectionHooks;
  /** Randomness of the backoff jitter. @default Math.random */
  readonly random?: () => number;
}

/** The retry + attempt timeout + breaker policy the publisher runs under, from the configuration. */
export function createQueueProtection(
  config: GuardedCallConfig,
  options: ProtectionFactoryOptions,
): Protection {
  return createProtection({
    timeoutMs: config.callTimeoutMs,
    retry: {
      retries: config.retryMax,
      baseDelayMs: config.retryBaseMs,
      ...(options.random === undefined ? {} : { random: options.random }),
    },
    breaker: { failureThreshold: config.breakerFailureThreshold, resetTimeoutMs: config.breakerResetMs },
    logger: options.logger,
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });
}

export function createGuardedPublisher(options: {
  readonly queue: FakeQueue;
  readonly protection: Protection;
  readonly logger: Logger;
}): GuardedPublisher {
  const { queue, protection, logger } = options;
  const breakers = protection.breakers;
  if (breakers === undefined)
    throw new TypeError('option protection must have a breaker (breaker: false was given)');
  const breaker = () => breakers.get(QUEUE_KEY);

  return {
    async publish(message, signal) {
      let attempts = 0;
      try {
        const { offset } = await protection.call(
          ({ signal: attemptSignal, attempt }) => {
            attempts = attempt;
            return queue.publish(message, { signal: attemptSignal });
          },
          {
            key: QUEUE_KEY,
            signal,
            // A refused message is an answer: not retried, and a sign of life for the breaker.
            isRetryable: (error) => !isMessageRejectedError(error) && !isCircuitOpenError(error),
            isFailure: (error) => !isMessageRejectedError(error),
          },
        );
        logger.info(
          { topic: message.topic, offset, attempts, breaker: breaker().state },
          'message published',
        );
        return { outcome: 'published', offset, attempts };
      } catch (error) {
        if (isCircuitOpenError(error) && attempts === 0) {
          logger.warn(
            { topic: message.topic, retryAfterMs: error.retryAfterMs, breaker: breaker().state },
            'message not sent: circuit open',
          );
          return { outcome: 'circuit-open', attempts: 0, retryAfterMs: error.retryAfterMs };
        }
        const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
        logger.error({ topic: message.topic, attempts, code, breaker: breaker().state }, 'message failed');
        return { outcome: 'failed', attempts, error };
      }
    },
    state: () => breaker().state,
    whenState(state) {
      if (breaker().state === state) return Promise.resolve();
      return new Promise((resolve) => {
        const unsubscribe = breakers.onStateChange(({ key, to }) => {
          if (key === QUEUE_KEY && to === state) {
            unsubscribe();
            resolve();
          }
        });
      });
    },
  };
}
