import {
  type ConcurrencyLimiter,
  createConcurrencyLimiter,
  isConcurrencyLimitError,
  type LimiterToken,
} from '@resilience/core';
import type { Request, RequestHandler, Response } from 'express';
import { Counter, Gauge, Registry } from 'prom-client';

/** Request priorities, lowest first: `low` is shed first, `critical` last. */
export type RequestPriority = 'critical' | 'high' | 'normal' | 'low';

const PRIORITY_RANK: Readonly<Record<RequestPriority, number>> = Object.freeze({
  low: 0,
  normal: 1,
  high: 2,
  critical: 3,
});

/** Options of {@link createLoadShedder}. Every field is optional. */
export interface LoadShedderOptions {
  /**
   * The limiter deciding admission (for example an adaptive one from `@resilience/core`). Give either this or
   * `maxConcurrent`/`maxQueue`/`maxQueueMs`, not both.
   * @default a Gradient2 limiter built with `maxQueue` and `maxQueueMs` (initial limit 20)
   */
  readonly limiter?: ConcurrencyLimiter;
  /**
   * A fixed concurrency limit instead of an adaptive one.
   * @default undefined (adaptive, Gradient2)
   */
  readonly maxConcurrent?: number;
  /**
   * Requests that may wait for a slot when every slot is taken (for the limiter built here).
   * @default 50
   */
  readonly maxQueue?: number;
  /**
   * Longest wait for a slot before a request is shed (for the limiter built here). Keep it small: a request
   * shed after waiting is answered this late.
   * @default 5
   */
  readonly maxQueueMs?: number;
  /**
   * Longest wait for a slot per priority, overriding `maxQueueMs` (or the given limiter's `maxWaitMs`) for the
   * priorities named, e.g. `{ high: 100 }` lets checkouts wait for the next free slot while browsing is shed.
   * @default no override
   */
  readonly maxQueueMsByPriority?: Readonly<Partial<Record<RequestPriority, number>>>;
  /**
   * The priority of a request. A queued request of lower priority is shed to make room for a higher one.
   * @default every request `'normal'`
   */
  readonly priorities?: (req: Request) => RequestPriority;
  /**
   * Paths never shed (matched against `req.path`): health, readiness and metrics.
   * @default ['/healthz', '/livez', '/readyz', '/metrics']
   */
  readonly exemptPaths?: readonly string[];
  /**
   * The `Retry-After` header of a shed request, in seconds.
   * @default 1
   */
  readonly retryAfterSeconds?: number;
  /**
   * Where the shedding metrics are registered.
   * @default a new prom-client Registry
   */
  readonly registry?: Registry;
  /**
   * The request id put in the body of a shed request.
   * @default req.id (set by the request logger), else the X-Request-ID header
   */
  readonly requestId?: (req: Request) => string | undefined;
}

/** The defaults of {@link LoadShedderOptions}. */
export const DEFAULT_LOAD_SHEDDER_OPTIONS = Object.freeze({
  maxQueue: 50,
  maxQueueMs: 5,
  exemptPaths: Object.freeze(['/healthz', '/livez', '/readyz', '/metrics']) as readonly string[],
  retryAfterSeconds: 1,
});

/** A load-shedding middleware and what it decides with. */
export interface LoadShedder {
  /** Put it before the routes (after the request logger and metrics, so shed requests are logged and counted). */
  readonly middleware: RequestHandler;
  readonly limiter: ConcurrencyLimiter;
  readonly registry: Registry;
  /** Refuses queued requests (answered 503) when the limiter was built here. Idempotent. */
  close(): void;
}

function defaultRequestId(req: Request): string | undefined {
  const id = (req as { id?: unknown }).id;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  return req.get('X-Request-ID');
}

/**
 * Builds inbound load shedding for Express: a concurrency limit on requests, with priorities; a request over
 * it (after at most `maxQueueMs` in the queue) is answered 503 with `Retry-After` and a JSON body at once.
 */
export function createLoadShedder(options: LoadShedderOptions = {}): LoadShedder {
  const d = DEFAULT_LOAD_SHEDDER_OPTIONS;
  if (
    options.limiter !== undefined &&
    (options.maxConcurrent !== undefined ||
      options.maxQueue !== undefined ||
      options.maxQueueMs !== undefined)
  ) {
    throw new TypeError(
      'options.limiter cannot be combined with options.maxConcurrent, maxQueue or maxQueueMs: configure the limiter',
    );
  }
  const retryAfterSeconds = options.retryAfterSeconds ?? d.retryAfterSeconds;
  if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
    throw new TypeError(
      `options.retryAfterSeconds must be an integer >= 0, got ${String(retryAfterSeconds)}`,
    );
  }
  const maxQueue = options.maxQueue ?? d.maxQueue;
  const maxWaitMs = options.maxQueueMs ?? d.maxQueueMs;
  const limiter =
    options.limiter ??
    (options.maxConcurrent !== undefined
      ? createConcurrencyLimiter({
          algorithm: 'fixed',
          initialLimit: options.maxConcurrent,
          maxQueue,
          maxWaitMs,
        })
      : createConcurrencyLimiter({ maxQueue, maxWaitMs }));
  const waitByPriority = options.maxQueueMsByPriority ?? {};
  for (const [name, ms] of Object.entries(waitByPriority)) {
    if (!(name in PRIORITY_RANK) || typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new TypeError(
        `options.maxQueueMsByPriority.${name} must be a priority (critical, high, normal, low) mapped to a number >= 0, got ${String(ms)}`,
      );
    }
  }
  const priorityOf = options.priorities ?? (() => 'normal' as const);
  const exempt = new Set(options.exemptPaths ?? d.exemptPaths);
  const requestId = options.requestId ?? defaultRequestId;
  const registry = options.registry ?? new Registry();

  const decisions = new Counter({
    name: 'http_load_shedding_requests_total',
    help: 'Requests through the load shedder, by priority and outcome (admitted or shed).',
    labelNames: ['priority', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'http_concurrency_limit',
    help: 'The current concurrency limit on incoming requests.',
    registers: [registry],
    collect() {
      this.set(limiter.limit);
    },
  });
  new Gauge({
    name: 'http_concurrency_in_flight',
    help: 'Incoming requests holding a concurrency slot.',
    registers: [registry],
    collect() {
      this.set(limiter.inFlight);
    },
  });
  new Gauge({
    name: 'http_concurrency_queued',
    help: 'Incoming requests waiting for a concurrency slot.',
    registers: [registry],
    collect() {
      this.set(limiter.queued);
    },
  });

  const shed = (req: Request, res: Response, priority: RequestPriority): void => {
    decisions.inc({ priority, outcome: 'shed' });
    if (res.headersSent || res.writableEnded) return;
    res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(503).json({
      error: 'overloaded',
      code: 'ERR_CONCURRENCY_LIMIT',
      message: 'The service is overloaded; retry later',
      requestId: requestId(req),
    });
  };

  const release = (res: Response, token: LimiterToken): void => {
    res.once('finish', () => token.success());
    // Closed before the answer was written: the client left, which says nothing about the service's load.
    res.once('close', () => token.ignore());
  };

  const middleware: RequestHandler = (req, res, next) => {
    if (exempt.has(req.path)) {
      next();
      return;
    }
    const priority = priorityOf(req);
    const rank = PRIORITY_RANK[priority];
    if (rank === undefined) {
      next(
        new TypeError(
          `options.priorities returned ${String(priority)}, not one of critical, high, normal, low`,
        ),
      );
      return;
    }
    const admitted = (token: LimiterToken): void => {
      if (res.writableEnded || req.destroyed) {
        token.ignore();
        return;
      }
      decisions.inc({ priority, outcome: 'admitted' });
      release(res, token);
      next();
    };
    const now = limiter.tryAcquire();
    if (now !== undefined) {
      admitted(now);
      return;
    }
    const wait = waitByPriority[priority];
    limiter
      .acquire(wait === undefined ? { priority: rank } : { priority: rank, maxWaitMs: wait })
      .then(admitted, (error: unknown) => {
        if (isConcurrencyLimitError(error)) shed(req, res, priority);
        else next(error);
      });
  };

  let closed = false;
  return {
    middleware,
    limiter,
    registry,
    close() {
      if (closed) return;
      closed = true;
      if (options.limiter === undefined) limiter.close();
    },
  };
}
