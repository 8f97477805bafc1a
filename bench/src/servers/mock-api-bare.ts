/**
 * Benchmark server: bare Express 5 serving exactly the body of mock-api's `GET /api/items` (serialised once,
 * as mock-api does), with Express defaults otherwise. The baseline of the mock-api benchmark.
 */
import { generateItems } from '@resilience/mock-api';
import express from 'express';

const items = generateItems();
const body = JSON.stringify({ items, count: items.length });

const app = express();
app.disable('x-powered-by');
app.get('/api/items', (_req, res) => {
  res.type('application/json').send(body);
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : Number.NaN;
  process.stdout.write(`LISTENING ${port}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
