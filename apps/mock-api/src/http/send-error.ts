import type { IncomingMessage, ServerResponse } from 'node:http';
import type {} from '@resilience/logging';

/** The JSON body of every error answer: `error` (a snake_case slug), `message`, `requestId`, and extras. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly requestId: string;
  readonly [extra: string]: unknown;
}

/** Writes `status` with a JSON error body. A no-op when the headers are already out. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  extra?: Readonly<Record<string, unknown>>,
): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body: ErrorBody = { error, message, requestId: req.id, ...extra };
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
