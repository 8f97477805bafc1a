import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type CurrentTraceContext, enterRequestContext } from './context.js';
import { createLogger, type Logger } from './create-logger.js';
import { activeSpanContext } from './opentelemetry.js';
import {
  describeInvalidRequestId,
  generateRequestId,
  isValidRequestId,
  REQUEST_ID_HEADER,
} from './request-id.js';
import { generateSpanId, generateTraceId } from './trace-ids.js';
import { isValidTracestate, parseTraceparent, TRACEPARENT_HEADER, TRACESTATE_HEADER } from './traceparent.js';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: a valid inbound `X-Request-ID`, otherwise a generated one. Set by `httpLogger()`. */
    id: string;
    /** Child logger whose lines carry this request's `requestId`, `trace_id` and `span_id`. Set by `httpLogger()`. */
    log: Logger;
  }
}

export interface HttpLoggerOptions {
  /**
   * Logger the per-request child loggers (`req.log`) and the completion lines come from.
   * @default createLogger()
   */
  readonly logger?: Logger;
  /**
   * Paths (without query string, exact match) whose completion line is not written unless the
   * response is a 5xx. They still get a request id, the response header and `req.log`.
   * @default ['/healthz', '/readyz', '/metrics']
   */
  readonly quietPaths?: readonly string[];
  /**
   * Makes the id of a request that arrived without a valid one. Must return a valid request id
   * (see `isValidRequestId`); an invalid result is replaced by `generateRequestId()` and logged.
   * @default generateRequestId
   */
  readonly genReqId?: (req: IncomingMessage) => string;
  /**
   * Add request and response headers to the completion line (`req.headers`, `res.headers`),
   * redacted like everything else. Off by default: costly, and a privacy risk.
   * @default false
   */
  readonly logHeaders?: boolean;
  /**
   * Keep the query string in the logged `path`. Off by default: query strings can carry secrets.
   * @default false
   */
  readonly logQueryString?: boolean;
  /**
   * Header read for an inbound id and set on every response.
   * @default 'x-request-id'
   */
  readonly headerName?: string;
}

/** A Connect/Express middleware. */
export type HttpLoggerMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** Defaults for every `HttpLoggerOptions` field except `logger` (a fresh `createLogger()`). */
export const HTTP_LOGGER_DEFAULTS = {
  quietPaths: ['/healthz', '/readyz', '/metrics'],
  genReqId: (_req: IncomingMessage): string => generateRequestId(),
  logHeaders: false,
  logQueryString: false,
  headerName: REQUEST_ID_HEADER,
} as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function validate(options: HttpLoggerOptions): void {
  const { logger, quietPaths, genReqId, logHeaders, logQueryString, headerName } = options;
  if (logger !== undefined && (typeof logger !== 'object' || typeof logger?.child !== 'function')) {
    throw new TypeError('httpLogger: logger must be a pino logger (from createLogger)');
  }
  if (
    quietPaths !== undefined &&
    (!Array.isArray(quietPaths) || quietPaths.some((p) => typeof p !== 'string' || !p.startsWith('/')))
  ) {
    throw new TypeError('httpLogger: quietPaths must be an array of paths starting with "/"');
  }
  if (genReqId !== undefined && typeof genReqId !== 'function') {
    throw new TypeError('httpLogger: genReqId must be a function returning a request id');
  }
  if (logHeaders !== undefined && typeof logHeaders !== 'boolean') {
    throw new TypeError('httpLogger: logHeaders must be a boolean');
  }
  if (logQueryString !== undefined && typeof logQueryString !== 'boolean') {
    throw new TypeError('httpLogger: logQueryString must be a boolean');
  }
  if (headerName !== undefined && (typeof headerName !== 'string' || !HEADER_NAME.test(headerName))) {
    throw new TypeError('httpLogger: headerName must be a valid HTTP header name');
  }
}

/** Flags of a trace this service starts (no valid inbound `traceparent`): sampled, as it is logged. */
export const NEW_TRACE_FLAGS = 0x01;

/**
 * The trace context of an inbound request: the active OpenTelemetry span's when there is one (an
 * instrumentation already read the headers and started the server span); else the inbound `traceparent`'s
 * trace, with a new span id for this request and the inbound `tracestate` when valid; else a new trace.
 */
function inboundTrace(req: IncomingMessage): CurrentTraceContext {
  const active = activeSpanContext();
  if (active !== undefined) return active;
  const parent = parseTraceparent(req.headers[TRACEPARENT_HEADER]);
  if (parent === undefined) {
    const traceId = generateTraceId();
    return {
      traceId,
      spanId: generateSpanId(),
      traceFlags: NEW_TRACE_FLAGS,
      tracestate: undefined,
      source: 'request',
    };
  }
  const tracestate = req.headers[TRACESTATE_HEADER];
  return {
    traceId: parent.traceId,
    spanId: generateSpanId(),
    traceFlags: parent.traceFlags,
    tracestate: isValidTracestate(tracestate) ? tracestate : undefined,
    source: 'request',
  };
}

function levelFor(status: number, aborted: boolean): 'error' | 'warn' | 'info' {
  if (status >= 500) return 'error';
  if (status >= 400 || aborted) return 'warn';
  return 'info';
}

/**
 * Express middleware: gives every request an id (a valid inbound `X-Request-ID`, else a new
 * one) and a W3C trace context (the trace of a valid inbound `traceparent`, else a new trace, and a
 * new span id of its own; or the active OpenTelemetry span's), sets `req.id`, `req.log` and the
 * `X-Request-ID` response header, runs the rest of the chain inside the request context (so
 * `getRequestId()`, `getTraceContext()` and every logger see them), and writes one line when the
 * response is done: `requestId`, `trace_id`, `span_id`, `method`, `path`, `status`, `responseTimeMs`
 * (and `aborted: true` if the client went away first). Level: 5xx error, 4xx warn, else info.
 * Mount it first, so that responses from every later middleware carry the header.
 */
export function httpLogger(options: HttpLoggerOptions = {}): HttpLoggerMiddleware {
  validate(options);
  const logger = options.logger ?? createLogger();
  const quietPaths: ReadonlySet<string> = new Set(options.quietPaths ?? HTTP_LOGGER_DEFAULTS.quietPaths);
  const genReqId = options.genReqId ?? HTTP_LOGGER_DEFAULTS.genReqId;
  const logHeaders = options.logHeaders ?? HTTP_LOGGER_DEFAULTS.logHeaders;
  const logQueryString = options.logQueryString ?? HTTP_LOGGER_DEFAULTS.logQueryString;
  const headerName = (options.headerName ?? HTTP_LOGGER_DEFAULTS.headerName).toLowerCase();

  function newId(req: IncomingMessage): string {
    const id = genReqId(req);
    if (isValidRequestId(id)) return id;
    const replacement = generateRequestId();
    logger.error(
      { requestId: replacement },
      'httpLogger: genReqId returned an invalid request id; a generated one is used',
    );
    return replacement;
  }

  return function requestLogger(req, res, next) {
    const start = performance.now();
    const inbound = req.headers[headerName];
    let rejectedReason: string | undefined;
    let id: string;
    if (inbound === undefined) {
      id = newId(req);
    } else if (isValidRequestId(inbound)) {
      id = inbound;
    } else {
      rejectedReason = describeInvalidRequestId(inbound);
      id = newId(req);
    }

    const trace = inboundTrace(req);
    const log = logger.child({ requestId: id, trace_id: trace.traceId, span_id: trace.spanId });
    req.id = id;
    req.log = log;
    res.setHeader(headerName, id);
    if (rejectedReason !== undefined) {
      log.debug({ reason: rejectedReason }, 'inbound request id rejected and replaced');
    }

    // Express keeps the URL as received in originalUrl (req.url loses the mount path inside routers).
    const originalUrl: unknown = Reflect.get(req, 'originalUrl');
    const url = typeof originalUrl === 'string' ? originalUrl : (req.url ?? '/');
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const loggedPath = logQueryString ? url : path;
    const quiet = quietPaths.has(path);

    res.on('close', () => {
      const status = res.statusCode;
      if (quiet && status < 500) return;
      const aborted = !res.writableFinished;
      const line: Record<string, unknown> = {
        method: req.method,
        path: loggedPath,
        status,
        responseTimeMs: Math.round((performance.now() - start) * 1000) / 1000,
      };
      if (aborted) line.aborted = true;
      if (logHeaders) {
        line.req = { headers: req.headers };
        line.res = { headers: res.getHeaders() };
      }
      log[levelFor(status, aborted)](line, aborted ? 'request aborted' : 'request completed');
    });

    enterRequestContext(id, trace, next);
  };
}
