import express, { type RequestHandler } from 'express';
import { HttpError } from '../errors/http-error.js';

/** Largest accepted JSON body. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

/** 415 unless the request says `Content-Type: application/json`. */
export const requireJsonContentType: RequestHandler = (req, _res, next) => {
  if (req.is('application/json') === 'application/json') return next();
  const sent = req.headers['content-type'];
  next(
    new HttpError(
      415,
      'unsupported_media_type',
      sent === undefined
        ? 'Send the body as JSON with Content-Type: application/json.'
        : `Content-Type ${sent} is not accepted; send application/json.`,
    ),
  );
};

/** Parses a JSON object or array body up to 16 kB (413 beyond, 400 when malformed, via the error handler). */
export function jsonBody(): RequestHandler {
  return express.json({ limit: JSON_BODY_LIMIT_BYTES, strict: true, type: 'application/json' });
}
