/**
 * Structured JSON logs on pino, with secrets redacted and the request id on every line written while a request is in
 * flight, from any logger, in any module.
 *
 * @packageDocumentation
 */

export { getRequestId, runWithRequestContext } from './context.js';
export type { Logger, LoggerOptions } from './create-logger.js';
export { createLogger } from './create-logger.js';
export type { HttpLoggerMiddleware, HttpLoggerOptions } from './http-logger.js';
export { httpLogger } from './http-logger.js';
export { generateRequestId, isValidRequestId, REQUEST_ID_HEADER } from './request-id.js';
