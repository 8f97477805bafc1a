/**
 * Benchmark server: the naive peer of mock-api, what a service assembles from the libraries' READMEs: Express 5
 * + pino-http (defaults, a pino logger writing every line to /dev/null through a real file descriptor) + two
 * stacked express-rate-limit limiters (per minute and per hour, draft-8 headers, limits so high nothing is
 * refused), serving the same `GET /api/items` body as mock-api. With REDIS_URL each limiter gets its own
 * rate-limit-redis `RedisStore` on one node-redis client (keys under BENCH_REDIS_PREFIX), otherwise
 * express-rate-limit's `MemoryStore`.
 */
import { generateItems } from '@resilience/mock-api';
import express from 'express';
import { MemoryStore, rateLimit, type Store } from 'express-rate-limit';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';
import { serve } from './serve.js';

const items = generateItems();
const body = JSON.stringify({ items, count: items.length });
const LIMIT = 1_000_000_000;

const redisUrl = process.env.REDIS_URL;
const prefix = process.env.BENCH_REDIS_PREFIX ?? 'bench:naive:';
const client = redisUrl ? createClient({ url: redisUrl }) : undefined;
if (client) {
  client.on('error', () => {});
  await client.connect();
}
const store = (name: string): Store =>
  client
    ? new RedisStore({
        prefix: `${prefix}${name}:`,
        sendCommand: (...args: string[]) => client.sendCommand(args),
      })
    : new MemoryStore();

const logger = pino(pino.destination({ dest: '/dev/null', sync: true }));
const app = express();
app.disable('x-powered-by');
app.use(pinoHttp({ logger }));
app.use(
  rateLimit({
    windowMs: 60_000,
    limit: LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: store('m'),
  }),
);
app.use(
  rateLimit({
    windowMs: 3_600_000,
    limit: LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: store('h'),
  }),
);
app.get('/api/items', (_req, res) => {
  res.type('application/json').send(body);
});

serve(app, async () => {
  if (client?.isOpen) client.destroy();
});
