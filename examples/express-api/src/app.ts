import { createHttpMetrics } from '@resilience/http-server';
import { getRequestId, httpLogger, type Logger } from '@resilience/logging';
import express, { type Express } from 'express';
import type { Store } from 'express-rate-limit';
import { createHelloRateLimit } from './rate-limit.js';

export interface AppOptions {
  readonly logger: Logger;
  /** Requests to `/hello` per client IP per minute. */
  readonly rateLimitPerMinute: number;
  /** The rate limiter's store. @default a new `MemoryStore` */
  readonly rateLimitStore?: Store;
  /** `/readyz` answers 503 once this returns true. @default () => false */
  readonly isShuttingDown?: () => boolean;
}

export interface ExpressApi {
  readonly app: Express;
  /** Releases what the app holds (the rate limiter's timers). */
  close(): Promise<void>;
}

/** Builds the Express app; listens on nothing (see server.ts). */
export function createApp(options: AppOptions): ExpressApi {
  const { logger } = options;
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  const metrics = createHttpMetrics();
  const limiter = createHelloRateLimit({
    limit: options.rateLimitPerMinute,
    logger,
    ...(options.rateLimitStore === undefined ? {} : { store: options.rateLimitStore }),
  });

  const app = express();
  app.disable('x-powered-by');
  // First: every response, 429s and 404s included, gets an X-Request-ID and one log line.
  app.use(httpLogger({ logger }));
  app.use(metrics.middleware);

  // The limiter sits on the route, so a 429 is still counted under route="/hello" in the metrics.
  app.get('/hello', limiter.middleware, (req, res) => {
    const name = typeof req.query.name === 'string' && req.query.name !== '' ? req.query.name : 'world';
    req.log.debug({ name }, 'greeting');
    res.json({ message: `hello, ${name}`, requestId: getRequestId() });
  });
  app.get('/readyz', (_req, res) => {
    const ready = !isShuttingDown();
    res.status(ready ? 200 : 503).json({ ready });
  });
  app.get('/metrics', metrics.handler);

  return { app, close: () => limiter.close() };
}
