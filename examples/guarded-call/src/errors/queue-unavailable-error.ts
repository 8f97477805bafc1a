/** The queue could not take the message right now (a broker restart, a lost connection): worth another try. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
  readonly code = 'ERR_QUEUE_UNAVAILABLE';

  constructor(topic: string, options?: ErrorOptions) {
    super(`queue unavailable: could not publish to ${topic}`, options);
  }
}

export function isQueueUnavailableError(error: unknown): error is QueueUnavailableError {
  return error instanceof QueueUnavailableError;
}
