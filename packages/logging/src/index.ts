/**
 * Structured JSON logs on pino, with secrets redacted and the request id (and W3C trace context) on every line written
 * while a request is in flight, from any logger, in any module.
 *
 * @packageDocumentation
 */

export type { CurrentTraceContext, TraceContext, TraceContextSource } from './context.js';
export { getRequestId, getTraceContext, runWithRequestContext } from './context.js';
export type { Logger, LoggerOptions } from './create-logger.js';
export { createLogger } from './create-logger.js';
export type { HttpLoggerMiddleware, HttpLoggerOptions } from './http-logger.js';
export { httpLogger, NEW_TRACE_FLAGS } from './http-logger.js';
export { generateRequestId, isValidRequestId, REQUEST_ID_HEADER } from './request-id.js';
export { generateSpanId, generateTraceId } from './trace-ids.js';
export type { Traceparent } from './traceparent.js';
export {
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  isValidTracestate,
  MAX_TRACESTATE_LENGTH,
  parseTraceparent,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
} from './traceparent.js';
