import { type RequestHandler, Router } from 'express';

export interface OpsRouterOptions {
  /** Serves the Prometheus text. */
  readonly metricsHandler: RequestHandler;
  /** `undefined` when Redis is not configured; otherwise whether it is ready now. */
  readonly redisReady: (() => boolean) | undefined;
  readonly isShuttingDown: () => boolean;
}

/** `GET /healthz` (always 200 while the process runs), `GET /readyz` and `GET /metrics`. Never rate limited. */
export function createOpsRouter(options: OpsRouterOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const redis = options.redisReady === undefined ? 'disabled' : options.redisReady() ? 'up' : 'down';
    const shuttingDown = options.isShuttingDown();
    const ready = !shuttingDown && redis !== 'down';
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: { redis, shuttingDown } });
  });
  router.get('/metrics', options.metricsHandler);
  return router;
}
