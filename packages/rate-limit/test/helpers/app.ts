import express, { type ErrorRequestHandler, type Express } from 'express';
import { createRateLimit, type RateLimitMiddleware, type RateLimitOptions } from '../../src/index.js';

/** A manual clock: tests move it, nothing sleeps. */
export interface ManualClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2026-01-01T10:00:00Z')): ManualClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface LimitedApp {
  readonly app: Express;
  readonly limiter: RateLimitMiddleware;
  /** Errors the limiter passed to `next()`. */
  readonly errors: unknown[];
}

/** An Express app with the limiter in front of `GET /` (200 "ok"); errors become 500/503 JSON. */
export function limitedApp(options: RateLimitOptions, configure?: (app: Express) => void): LimitedApp {
  const app = express();
  configure?.(app);
  const errors: unknown[] = [];
  app.use((req, _res, next) => {
    (req as { id?: string }).id = 'req-1';
    next();
  });
  const limiter = createRateLimit(options);
  app.use(limiter);
  app.get('/', (_req, res) => {
    res.send('ok');
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    errors.push(error);
    res.status(503).json({ error: 'unavailable' });
  };
  app.use(onError);
  return { app, limiter, errors };
}
