/**
 * Benchmark server: the real mock-api (`createApp`) with its whole stack on `GET /api/items`: request ids and
 * one log line per request (to /dev/null through a real file descriptor), both rate-limit windows with limits
 * so high nothing is refused, HTTP metrics and default process metrics. With REDIS_URL the rate-limit stores
 * are in Redis (keys under BENCH_REDIS_PREFIX), otherwise in memory.
 */
import { openSync, writeSync } from 'node:fs';
import { createLogger } from '@resilience/logging';
import { createApp, loadConfig } from '@resilience/mock-api';

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

const server = mockApi.app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : Number.NaN;
  process.stdout.write(`LISTENING ${port}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => {
    void mockApi.close().then(() => process.exit(0));
  });
});
