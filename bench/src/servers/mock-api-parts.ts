/**
 * Benchmark server: mock-api's pieces added one at a time over bare Express 5, to attribute the full stack's
 * cost. BENCH_PARTS is a comma list of `logger` (`httpLogger()` writing to /dev/null), `metrics`
 * (`createHttpMetrics()` with default process metrics) and `ratelimit` (`createRateLimit()` with mock-api's two
 * windows, limits nothing reaches, the package's memory store), mounted in that order in front of
 * `GET /api/items`, which serves the same body and ETag as mock-api.
 */
import { openSync, writeSync } from 'node:fs';
import { createHttpMetrics } from '@resilience/http-server';
import { createLogger, httpLogger } from '@resilience/logging';
import { generateItems } from '@resilience/mock-api';
import { createRateLimit } from '@resilience/rate-limit';
import express from 'express';
import { serve } from './serve.js';

const parts = new Set((process.env.BENCH_PARTS ?? '').split(',').filter(Boolean));
const items = generateItems();
const body = JSON.stringify({ items, count: items.length });
const LIMIT = 1_000_000_000;

const app = express();
app.disable('x-powered-by');
if (parts.has('logger')) {
  const fd = openSync('/dev/null', 'w');
  const logger = createLogger({
    service: 'mock-api',
    destination: { write: (line: string) => void writeSync(fd, line) },
  });
  app.use(httpLogger({ logger, quietPaths: ['/healthz', '/readyz', '/metrics'] }));
}
if (parts.has('metrics')) app.use(createHttpMetrics({ collectDefaultMetrics: true }).middleware);
if (parts.has('ratelimit')) {
  app.use(
    '/api',
    createRateLimit({
      windows: [
        { name: 'minute', windowMs: 60_000, limit: LIMIT, policy: 'per-minute' },
        { name: 'hour', windowMs: 3_600_000, limit: LIMIT, policy: 'per-hour' },
      ],
    }),
  );
}
app.get('/api/items', (_req, res) => {
  res.type('application/json').send(body);
});

serve(app);
