import type { BreakerRegistry, Deadline, HttpClient } from '@resilience/http-client';
import type { Request } from 'express';
import type { Clock } from '../clock.js';
import type { ConsumerConfig } from '../config.js';
import type { ConsumerMetrics } from '../metrics.js';
import type { StaleCache } from '../stale-cache.js';

/** What every route handler works with, built once by `createApp`. */
export interface RouteContext {
  readonly config: ConsumerConfig;
  readonly client: HttpClient;
  /** The client's breakers (one per upstream origin). */
  readonly breakers: BreakerRegistry;
  readonly clock: Clock;
  /** Upstream JSON text of good `GET` answers, by upstream path. */
  readonly cache: StaleCache<string>;
  readonly metrics: ConsumerMetrics;
  /** Breaker key of the upstream (its origin), as the client's registry names it. */
  readonly upstream: string;
  /** The deadline of the inbound request, fixed when it arrived, on the app's clock; every outbound call shares it. */
  deadlineOf(req: Request): Deadline;
  /** Time until the upstream's breaker lets a trial through, when it is OPEN now; otherwise undefined. */
  breakerRetryAfterMs(): number | undefined;
}

/** A JSON error body, the same shape as mock-api's: `error`, `message`, `requestId`, then any extra fields. */
export function errorBody(req: Request, error: string, message: string, extra: object = {}): object {
  return { error, message, requestId: req.id, ...extra };
}
