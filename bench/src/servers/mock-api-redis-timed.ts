/**
 * Benchmark server: the real mock-api on Redis (rate-limit stores and orders), with a Redis client that records
 * how long every command takes from `sendCommand` to its settled promise, as the service sees it (network, Redis,
 * and the time the reply waits for this process's event loop). The command timeout is 10 s, so nothing is cut
 * short and the recorded times are the true reply times. `GET /__redis-replies` answers the durations so far
 * (ms, in order), `DELETE /__redis-replies` forgets them.
 */
import { openSync, writeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from '@resilience/logging';
import { createApp, loadConfig, type RedisClientLike } from '@resilience/mock-api';
import { createClient } from 'redis';
import { serve } from './serve.js';

const fd = openSync('/dev/null', 'w');
const logger = createLogger({
  level: 'info',
  service: 'mock-api',
  destination: { write: (line: string) => void writeSync(fd, line) },
});

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const config = loadConfig({
  RATE_LIMIT_PER_MINUTE: '1000000000',
  RATE_LIMIT_PER_HOUR: '1000000000',
  REDIS_URL: url,
  REDIS_KEY_PREFIX: process.env.BENCH_REDIS_PREFIX ?? 'bench:mock-api:',
  REDIS_COMMAND_TIMEOUT_MS: '10000',
});

let durations: number[] = [];
const client = createClient({ url, disableOfflineQueue: true });
const timed: RedisClientLike = {
  get isOpen() {
    return client.isOpen;
  },
  get isReady() {
    return client.isReady;
  },
  connect: () => client.connect(),
  on: (event, listener) => client.on(event, listener),
  off: (event, listener) => client.off(event, listener),
  destroy: () => client.destroy(),
  sendCommand(args) {
    const started = performance.now();
    const settled = (): void => {
      durations.push(performance.now() - started);
    };
    const reply = client.sendCommand([...args]);
    reply.then(settled, settled);
    return reply;
  },
};

const mockApi = createApp(config, { logger, redis: timed });
await mockApi.waitForRedis(10_000);

function handler(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/__redis-replies') {
    if (req.method === 'DELETE') durations = [];
    res.setHeader('content-type', 'application/json');
    res.end(req.method === 'DELETE' ? '[]' : JSON.stringify(durations));
    return;
  }
  mockApi.app(req, res);
}

serve(handler, () => mockApi.close());
