/**
 * Benchmark server: the far end of the bare two-hop chain. Bare Express 5 answering `GET /api/items` with the
 * bytes of mock-api's own answer (read from BENCH_BODY_FILE), serialised once as mock-api does.
 */
import { readFileSync } from 'node:fs';
import express from 'express';
import { serve } from './serve.js';

const bodyFile = process.env.BENCH_BODY_FILE;
if (bodyFile === undefined || bodyFile === '') throw new Error('BENCH_BODY_FILE is required');
const body = readFileSync(bodyFile, 'utf8');

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.get('/api/items', (_req, res) => {
  res.type('application/json').send(body);
});

serve(app);
