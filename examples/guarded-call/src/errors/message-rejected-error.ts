/** The queue answered and refused this message (too large, bad topic): sending it again cannot help. */
export class MessageRejectedError extends Error {
  override readonly name = 'MessageRejectedError';
  readonly code = 'ERR_MESSAGE_REJECTED';

  constructor(topic: string, reason: string) {
    super(`queue rejected the message for ${topic}: ${reason}`);
  }
}

export function isMessageRejectedError(error: unknown): error is MessageRejectedError {
  return error instanceof MessageRejectedError;
}
