import { isRateLimitStoreError } from '@resilience/rate-limit';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isHttpError } from '../errors/http-error.js';
import { isStoreUnavailableError } from '../errors/store-unavailable-error.js';
import { sendError } from './send-error.js';

/** Errors from Express's body parser carry a `type` and a `status`. */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { type?: unknown }).type === 'string' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

const BODY_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  'entity.too.large': [413, 'payload_too_large', 'The body is larger than 16 kB.'],
  'entity.parse.failed': [400, 'malformed_json', 'The body is not valid JSON (an object or an array).'],
  'entity.verify.failed': [400, 'malformed_json', 'The body could not be verified.'],
  'encoding.unsupported': [415, 'unsupported_media_type', 'The Content-Encoding is not supported.'],
  'charset.unsupported': [415, 'unsupported_media_type', 'The charset is not supported; send UTF-8.'],
  'request.aborted': [400, 'request_aborted', 'The client aborted the request.'],
  'request.size.invalid': [400, 'bad_request', 'The body length does not match Content-Length.'],
};

/**
 * Codes of the decoders behind `Content-Encoding`: zlib for gzip and deflate (`Z_DATA_ERROR`, `Z_BUF_ERROR`),
 * Brotli (`ERR__ERROR_FORMAT_PADDING_1`...) and zstd where Node has it (`ZSTD_error_...`).
 */
const DECODER_ERROR_CODE = /^(?:Z_|ERR__ERROR_|ERR_BROTLI|ZSTD_)/;

/**
 * A body that its Content-Encoding's decoder refused. body-parser hands the decoder's error on with
 * `status: 400` but no `type`, so it is recognised by its code.
 */
function isBodyDecodingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, code } = error as { status?: unknown; code?: unknown };
  return status === 400 && typeof code === 'string' && DECODER_ERROR_CODE.test(code);
}

/** Unmatched routes: 404 JSON. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(req, res, 404, 'not_found', `No route for ${req.method} ${req.path}.`);
};

/**
 * Every error becomes a JSON answer with `error`, `message` and `requestId`: never an HTML page, and a 500
 * only for a genuine bug (logged with its stack).
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (isHttpError(error)) {
    sendError(req, res, error.status, error.error, error.message, error.details);
    return;
  }
  if (isBodyDecodingError(error)) {
    sendError(
      req,
      res,
      400,
      'malformed_body',
      'The body could not be decoded: it is not valid for its Content-Encoding.',
    );
    return;
  }
  if (isBodyParserError(error)) {
    const known = BODY_ERRORS[error.type];
    if (known !== undefined) {
      sendError(req, res, known[0], known[1], known[2]);
      return;
    }
    if (error.status >= 400 && error.status < 500) {
      sendError(req, res, error.status, 'bad_request', 'The request body could not be read.');
      return;
    }
  }
  if (isRateLimitStoreError(error)) {
    if (!res.headersSent) res.setHeader('Retry-After', '5');
    sendError(req, res, 503, 'rate_limit_unavailable', 'Rate limiting is unavailable; try again shortly.');
    return;
  }
  if (isStoreUnavailableError(error)) {
    req.log.error({ err: error }, 'store unavailable');
    if (!res.headersSent) res.setHeader('Retry-After', '1');
    sendError(req, res, 503, 'store_unavailable', 'The order store is unavailable; try again shortly.');
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  sendError(req, res, 500, 'internal_error', 'Something went wrong on our side.');
};
