import {
  createConcurrencyLimiter,
  createLoadShedder,
  type LoadShedder,
  type RequestPriority,
} from '@resilience/http-server';
import type { Request } from 'express';
import type { Registry } from 'prom-client';
import type { ConsumerConfig } from './config.js';

/** The priority of an inbound request: checkout and catalog as configured, anything else `normal`. */
export function requestPriority(config: ConsumerConfig, req: Request): RequestPriority {
  if (req.method === 'POST' && req.path === '/checkout') return config.shedCheckoutPriority;
  if (req.path === '/catalog' || req.path.startsWith('/catalog/')) return config.shedCatalogPriority;
  return 'normal';
}

/**
 * The consumer's inbound load shedder (health, readiness and metrics are never shed), or `undefined` when
 * `LOAD_SHEDDING=off`. Its metrics go on `registry`.
 */
export function createConsumerShedder(config: ConsumerConfig, registry: Registry): LoadShedder | undefined {
  if (config.loadShedding === 'off') return undefined;
  const limiter = createConcurrencyLimiter({
    algorithm: config.loadShedding === 'adaptive' ? 'gradient2' : 'fixed',
    initialLimit: config.shedLimit,
    minLimit: config.loadShedding === 'adaptive' ? config.shedMinLimit : 1,
    maxLimit: config.loadShedding === 'adaptive' ? config.shedMaxLimit : config.shedLimit,
    maxQueue: config.shedMaxQueue,
    maxWaitMs: config.shedMaxQueueMs,
  });
  const shedder = createLoadShedder({
    limiter,
    priorities: (req) => requestPriority(config, req),
    maxQueueMsByPriority: { high: config.shedPriorityMaxQueueMs, critical: config.shedPriorityMaxQueueMs },
    retryAfterSeconds: config.shedRetryAfterSeconds,
    registry,
  });
  return {
    ...shedder,
    close() {
      shedder.close();
      limiter.close();
    },
  };
}
