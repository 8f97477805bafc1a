import { createHash } from 'node:crypto';
import type { Response } from 'express';

/** A JSON body serialised once, with its weak ETag, for content that never changes while the process runs. */
export interface StaticJson {
  readonly text: string;
  readonly etag: string;
}

export function staticJson(value: unknown): StaticJson {
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text);
  const hash = createHash('sha1').update(text).digest('base64').slice(0, 27);
  return { text, etag: `W/"${bytes.toString(16)}-${hash}"` };
}

/**
 * Sends a pre-serialised body. Express answers 304 itself when the request's `If-None-Match` matches the ETag set
 * here, and skips hashing the body again.
 */
export function sendStaticJson(res: Response, body: StaticJson): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', body.etag);
  res.send(body.text);
}
