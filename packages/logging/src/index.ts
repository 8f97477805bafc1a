export { getRequestId, runWithRequestContext } from './context.js';
export type { Logger, LoggerOptions } from './create-logger.js';
export { createLogger } from './create-logger.js';
export type { HttpLoggerMiddleware, HttpLoggerOptions } from './http-logger.js';
export { httpLogger } from './http-logger.js';
export { generateRequestId, isValidRequestId, REQUEST_ID_HEADER } from './request-id.js';
