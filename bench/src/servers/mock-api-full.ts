/**
 * Benchmark server: the real mock-api (`createApp`) with its whole stack on `GET /api/items`: request ids and
 * one log line per request (to /dev/null through a real file descriptor), both rate-limit windows with limits
 * so high nothing is refused, HTTP metrics and default process metrics. With REDIS_URL the rate-limit stores
 * are in Redis (keys under BENCH_REDIS_PREFIX), otherwise in memory.
 */
import { openSync, writeSync } from 'node:fs';
import { createLogger } from '@resilience/logging';
import { createApp, loadConfig } from '@resilience/mock-api';
import { serve } from './serve.js';

const fd = openSync('/dev/null', 'w');
const logger = createLogger({
  level: 'info',
  service: 'mock-api',
  destination: { write: (line: string) => void writeSync(fd, line) },
});

const config = loadConfig({
  RATE_LIMIT_PER_MINUTE: '1000000000',
  RATE_LIMIT_PER_HOUR: '1000000000',
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  REDIS_KEY_PREFIX: process.env.BENCH_REDIS_PREFIX ?? 'bench:mock-api:',
});
const mockApi = createApp(config, { logger });
await mockApi.waitForRedis(10_000);

serve(mockApi.app, () => mockApi.close());
