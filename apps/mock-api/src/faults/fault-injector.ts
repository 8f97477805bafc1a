import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@resilience/logging';
import type { Request, RequestHandler } from 'express';
import { sendError } from '../http/send-error.js';
import type { MockApiMetrics } from '../metrics.js';
import { createSeededRandom, type RandomSource } from '../random/seeded-random.js';
import { describeFaultProfile, FAULT_KINDS, type FaultKind, type FaultProfile } from './fault-profile.js';
import { createRouteFilter, type RouteFilter } from './route-filter.js';

export interface FaultInjectorOptions {
  readonly metrics: MockApiMetrics;
  readonly logger: Logger;
  /** Used when a profile has no `seed`. @default Math.random */
  readonly random?: RandomSource;
  /** How long a `hang` holds a request before the connection is closed. */
  readonly hangTimeoutMs: number;
}

/** What `GET /__admin/faults` shows. */
export interface FaultState {
  /** The active profile (with `failNext` counting down), or `null`. */
  readonly profile: Record<string, unknown> | null;
  readonly stats: {
    /** `/api` requests that passed rate limiting (and so reached fault injection) since start or the last DELETE. */
    readonly apiRequests: number;
    /** Faults injected, by kind, since start or the last reset. */
    readonly injected: Readonly<Record<FaultKind, number>>;
  };
}

export interface FaultInjector {
  /** Mount after rate limiting, in front of the `/api` routes. */
  readonly middleware: RequestHandler;
  state(): FaultState;
  /** Replaces the active profile (and restarts its seeded sequence). */
  setProfile(profile: FaultProfile): void;
  /** Removes the active profile and zeroes the stats. */
  clear(): void;
  /** Closes the connections of held (`hang`) requests; used on shutdown and by `close()`. */
  releaseHeld(): void;
}

type Outcome = 'error' | 'fail_next' | 'down' | 'hang' | 'reset' | undefined;

interface Active {
  readonly profile: FaultProfile;
  readonly filter: RouteFilter | undefined;
  readonly random: RandomSource;
  failNext: number;
}

function pathOf(req: Request): string {
  const url = req.originalUrl;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Injects the faults of the active profile into matching `/api` requests. Per request, in this order:
 * `down` (503, handler never runs), `failNext` (while > 0: fails, counts down), then one draw each for
 * `resetRate`, `hangRate`, `errorRate` (the first that hits wins), and independently `latencyRate` (a delay in
 * front of whatever else happens). With `when: 'after'` the handler runs first and its answer is then delayed,
 * replaced by the error, never sent (hang) or lost with the connection (reset).
 */
export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  const { metrics, logger, hangTimeoutMs } = options;
  const defaultRandom = options.random ?? Math.random;
  const held = new Map<ServerResponse, NodeJS.Timeout>();
  let active: Active | undefined;
  let apiRequests = 0;
  let injected = zeroCounts();

  function zeroCounts(): Record<FaultKind, number> {
    return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  }

  function record(req: IncomingMessage, kind: FaultKind, fields: Record<string, unknown>): void {
    injected[kind] += 1;
    metrics.faultsInjected.labels(kind).inc();
    req.log.warn({ fault: kind, ...fields }, 'fault injected');
  }

  function decide(current: Active): Outcome {
    const { profile } = current;
    if (profile.down) return 'down';
    if (current.failNext > 0) {
      current.failNext -= 1;
      return 'fail_next';
    }
    if (profile.resetRate > 0 && current.random() < profile.resetRate) return 'reset';
    if (profile.hangRate > 0 && current.random() < profile.hangRate) return 'hang';
    if (profile.errorRate > 0 && current.random() < profile.errorRate) return 'error';
    return undefined;
  }

  function latencyFor(current: Active): number {
    const { latencyMs, latencyRate } = current.profile;
    if (latencyMs === undefined) return 0;
    if (latencyRate < 1 && !(current.random() < latencyRate)) return 0;
    if (latencyMs.min === latencyMs.max) return latencyMs.min;
    return latencyMs.min + Math.floor(current.random() * (latencyMs.max - latencyMs.min + 1));
  }

  function hold(req: IncomingMessage, res: ServerResponse): void {
    const timer = setTimeout(() => {
      held.delete(res);
      req.log.warn(
        { fault: 'hang', heldMs: hangTimeoutMs },
        'held request reached the request timeout; closing',
      );
      req.socket.destroy();
    }, hangTimeoutMs);
    timer.unref();
    held.set(res, timer);
    res.once('close', () => {
      clearTimeout(timer);
      held.delete(res);
    });
  }

  function fail(
    req: IncomingMessage,
    res: ServerResponse,
    outcome: 'error' | 'fail_next' | 'down',
    status: number,
  ) {
    sendError(req, res, status, 'injected_fault', `Fault injection: ${outcome} answered ${status}.`, {
      fault: outcome,
    });
  }

  const middleware: RequestHandler = (req, res, next) => {
    apiRequests += 1;
    const current = active;
    if (current === undefined) return next();
    if (current.filter !== undefined && !current.filter.matches(req.method, pathOf(req))) return next();

    const outcome = decide(current);
    const delayMs = latencyFor(current);
    const when = outcome === 'down' ? 'before' : current.profile.when;
    const status = outcome === 'down' ? 503 : current.profile.errorStatus;
    if (delayMs > 0) record(req, 'latency', { latencyMs: delayMs, when });
    if (outcome !== undefined) record(req, outcome, { when, ...(outcome === 'hang' ? {} : { status }) });

    const act = (finish: () => void): void => {
      switch (outcome) {
        case 'reset':
          req.socket.destroy();
          return;
        case 'hang':
          hold(req, res);
          return;
        case 'error':
        case 'fail_next':
        case 'down':
          fail(req, res, outcome, status);
          return;
        default:
          finish();
      }
    };

    if (when === 'before') {
      if (delayMs === 0) return act(() => next());
      const timer = setTimeout(() => act(() => next()), delayMs);
      timer.unref();
      res.once('close', () => clearTimeout(timer));
      return;
    }

    // after: let the handler run, then act on its answer at the moment it is sent.
    const originalEnd = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    let intercepted = false;
    res.end = ((...args: unknown[]) => {
      if (intercepted) return originalEnd(...args);
      intercepted = true;
      const finish = (): void => {
        if (outcome === 'error' || outcome === 'fail_next') {
          // Replace the handler's answer: its headers are not out yet (Express sends them with end()).
          res.removeHeader('Content-Length');
          res.removeHeader('ETag');
          res.end = originalEnd as typeof res.end;
          fail(req, res, outcome, status);
          return;
        }
        act(() => originalEnd(...args));
      };
      if (delayMs === 0) finish();
      else {
        const timer = setTimeout(finish, delayMs);
        timer.unref();
        res.once('close', () => clearTimeout(timer));
      }
      return res;
    }) as typeof res.end;
    next();
  };

  return {
    middleware,
    state() {
      return {
        profile: active === undefined ? null : describeFaultProfile(active.profile, active.failNext),
        stats: { apiRequests, injected: { ...injected } },
      };
    },
    setProfile(profile) {
      active = {
        profile,
        filter: profile.routes === undefined ? undefined : createRouteFilter(profile.routes),
        random: profile.seed === undefined ? defaultRandom : createSeededRandom(profile.seed),
        failNext: profile.failNext,
      };
      logger.info({ profile: describeFaultProfile(profile, profile.failNext) }, 'fault profile set');
    },
    clear() {
      if (active !== undefined) logger.info('fault profile cleared');
      active = undefined;
      apiRequests = 0;
      injected = zeroCounts();
    },
    releaseHeld() {
      for (const [res, timer] of held) {
        clearTimeout(timer);
        res.destroy();
      }
      held.clear();
    },
  };
}
