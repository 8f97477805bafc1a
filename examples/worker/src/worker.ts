import {
  type HttpClient,
  isAbortError,
  isCircuitOpenError,
  isHttpClientError,
  isHttpStatusError,
} from '@resilience/http-client';
import type { Logger } from '@resilience/logging';

/** What one poll ended with. */
export type PollResult =
  | { readonly outcome: 'success'; readonly status: number; readonly data: unknown }
  | { readonly outcome: 'failure'; readonly error: unknown }
  | { readonly outcome: 'circuit-open'; readonly retryAfterMs: number }
  | { readonly outcome: 'stopped' };

export interface WorkerOptions {
  readonly client: HttpClient;
  /** The URL polled with GET. */
  readonly url: string;
  /** Pause between the end of one poll and the start of the next. */
  readonly intervalMs: number;
  readonly logger: Logger;
}

export interface Worker {
  /** One poll: never rejects; the outcome is logged and returned. */
  pollOnce(): Promise<PollResult>;
  /** Polls until `stop()`. Resolves when the loop has ended. */
  run(): Promise<void>;
  /** Aborts the poll in flight (or the pause), and resolves once `run()` has returned. Idempotent. */
  stop(): Promise<void>;
}

/** Resolves after `ms`, or at once when `signal` aborts (the timer is cleared). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function createWorker(options: WorkerOptions): Worker {
  const { client, url, intervalMs, logger } = options;
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let polls = 0;

  async function pollOnce(): Promise<PollResult> {
    polls += 1;
    const poll = polls;
    try {
      const response = await client.get<unknown>(url, { signal: stopping.signal });
      logger.info({ poll, status: response.status }, 'poll succeeded');
      return { outcome: 'success', status: response.status, data: response.data };
    } catch (error) {
      if (isAbortError(error)) {
        logger.info({ poll }, 'poll stopped');
        return { outcome: 'stopped' };
      }
      if (isCircuitOpenError(error)) {
        logger.warn({ poll, retryAfterMs: error.retryAfterMs }, 'poll skipped: circuit open');
        return { outcome: 'circuit-open', retryAfterMs: error.retryAfterMs };
      }
      if (isHttpClientError(error)) {
        logger.error(
          {
            poll,
            code: error.code,
            attempts: error.attempts,
            giveUpReason: error.giveUpReason,
            ...(isHttpStatusError(error) ? { status: error.status } : {}),
          },
          'poll failed',
        );
      } else {
        logger.error({ poll, err: error }, 'poll failed');
      }
      return { outcome: 'failure', error };
    }
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      await pollOnce();
      await pause(intervalMs, stopping.signal);
    }
  }

  return {
    pollOnce,
    run() {
      running ??= loop();
      return running;
    },
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
