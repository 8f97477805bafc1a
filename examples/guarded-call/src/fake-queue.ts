import { MessageRejectedError } from './errors/message-rejected-error.js';
import { QueueUnavailableError } from './errors/queue-unavailable-error.js';

export interface QueueMessage {
  readonly topic: string;
  readonly body: string;
}

/** Stands in for a message broker client: in process, and told when to fail. */
export interface FakeQueue {
  /** Resolves with the offset of the stored message; rejects as scripted; a hanging publish ends on `signal`. */
  publish(message: QueueMessage, options?: { readonly signal?: AbortSignal }): Promise<{ offset: number }>;
  /** The next `count` publishes fail with `QueueUnavailableError`. */
  failNext(count: number): void;
  /** The next `count` publishes never answer (until their signal aborts). */
  hangNext(count: number): void;
  /** While down, every publish fails with `QueueUnavailableError`. */
  setDown(down: boolean): void;
  /** Publishes called so far, failed ones included. */
  readonly calls: number;
  /** Messages stored, in order. */
  readonly stored: readonly QueueMessage[];
}

/** Largest body the fake queue takes; bigger ones are refused with `MessageRejectedError`. */
export const MAX_BODY_BYTES = 1024;

export function createFakeQueue(): FakeQueue {
  const stored: QueueMessage[] = [];
  let calls = 0;
  let failures = 0;
  let hangs = 0;
  let down = false;

  return {
    publish(message, options = {}) {
      calls += 1;
      if (Buffer.byteLength(message.body) > MAX_BODY_BYTES) {
        return Promise.reject(new MessageRejectedError(message.topic, `body over ${MAX_BODY_BYTES} bytes`));
      }
      if (down || failures > 0) {
        failures = Math.max(0, failures - 1);
        return Promise.reject(new QueueUnavailableError(message.topic));
      }
      if (hangs > 0) {
        hangs -= 1;
        return new Promise((_resolve, reject) => {
          const { signal } = options;
          if (signal === undefined) return;
          if (signal.aborted) return reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      stored.push(message);
      return Promise.resolve({ offset: stored.length - 1 });
    },
    failNext(count) {
      failures += count;
    },
    hangNext(count) {
      hangs += count;
    },
    setDown(value) {
      down = value;
    },
    get calls() {
      return calls;
    },
    get stored() {
      return stored;
    },
  };
}
