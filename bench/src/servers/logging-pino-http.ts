/**
 * Benchmark server: Express 5 + pino-http 11 configured as lean as it goes while doing the same job as
 * `httpLogger()` (same logger, inbound-id validation, response header, request context, minimal
 * serializers, same levels and quiet paths). Kept for the record: it is the alternative we measured
 * and did not choose.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createLogger,
  generateRequestId,
  isValidRequestId,
  type Logger,
  REQUEST_ID_HEADER,
  runWithRequestContext,
} from '@resilience/logging';
import type { RequestHandler } from 'express';
import pinoHttpFactory from 'pino-http';
import { buildApp, devNullDestination } from './logging-app.js';
import { serve } from './serve.js';

interface PinoHttpOptions {
  logger: Logger;
  genReqId: (req: IncomingMessage, res: ServerResponse) => string;
  quietReqLogger: boolean;
  wrapSerializers: boolean;
  serializers: Record<string, (value: never) => unknown>;
  customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) => string;
  autoLogging: { ignore: (req: IncomingMessage) => boolean };
}

// Our options type is narrower than pino-http's own (it names only what this server sets).
const pinoHttp = pinoHttpFactory as unknown as (options: PinoHttpOptions) => RequestHandler;

const QUIET = new Set(['/healthz', '/readyz', '/metrics']);
const logger = createLogger({ service: 'bench', destination: devNullDestination() });

const pinoHttpMiddleware = pinoHttp({
  logger,
  genReqId: (req, res) => {
    const inbound = req.headers[REQUEST_ID_HEADER];
    const id = isValidRequestId(inbound) ? inbound : generateRequestId();
    res.setHeader(REQUEST_ID_HEADER, id);
    return id;
  },
  quietReqLogger: true,
  wrapSerializers: false,
  serializers: {
    req: (req: IncomingMessage) => ({ method: req.method, url: req.url }),
    res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
  },
  customLogLevel: (_req, res, err) => {
    if (err !== undefined || res.statusCode >= 500) return 'error';
    return res.statusCode >= 400 ? 'warn' : 'info';
  },
  autoLogging: { ignore: (req) => QUIET.has((req.url ?? '/').split('?')[0] ?? '/') },
});

const requestContext: RequestHandler = (req, _res, next) => {
  runWithRequestContext(req.id, next);
};

serve(buildApp([pinoHttpMiddleware, requestContext]));
