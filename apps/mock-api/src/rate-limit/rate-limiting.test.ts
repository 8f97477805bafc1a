import { createLogger } from '@resilience/logging';
import { MemoryStore } from 'express-rate-limit';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createMockApiMetrics } from '../metrics.js';
import { createRateLimiting } from './rate-limiting.js';

describe('createRateLimiting', () => {
  it('refuses one store for both windows (it would count every request twice)', () => {
    const store = new MemoryStore();
    expect(() =>
      createRateLimiting({
        config: loadConfig({}).rateLimit,
        stores: { minute: store, hour: store },
        metrics: createMockApiMetrics(new Registry()),
        logger: createLogger({ level: 'silent' }),
        now: Date.now,
      }),
    ).toThrow(/stores.minute and stores.hour/);
  });
});
