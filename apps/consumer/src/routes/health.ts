import { Router } from 'express';
import type { RouteContext } from './route-context.js';

/** One upstream in the readiness answer. */
export interface UpstreamReadiness {
  readonly key: string;
  readonly state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  readonly consecutiveFailures: number;
  readonly msUntilHalfOpen: number | null;
}

/** The `/readyz` body. */
export interface Readiness {
  readonly status: 'ready' | 'shutting_down';
  /** True while any upstream breaker is OPEN: the consumer answers, from its stale cache or with 503s. */
  readonly degraded: boolean;
  readonly upstreams: readonly UpstreamReadiness[];
}

/**
 * `GET /healthz`: the process is alive. `GET /readyz`: 200 while ready, even with an OPEN breaker
 * (`degraded: true`: stale data can still be served); 503 once shutdown started.
 */
export function healthRouter(context: RouteContext, isShuttingDown: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const upstreams: UpstreamReadiness[] = context.breakers.snapshot().map((s) => ({
      key: s.key,
      state: s.state,
      consecutiveFailures: s.consecutiveFailures,
      msUntilHalfOpen: s.msUntilHalfOpen,
    }));
    const shuttingDown = isShuttingDown();
    const body: Readiness = {
      status: shuttingDown ? 'shutting_down' : 'ready',
      degraded: upstreams.some((u) => u.state === 'OPEN'),
      upstreams,
    };
    res.status(shuttingDown ? 503 : 200).json(body);
  });
  return router;
}
