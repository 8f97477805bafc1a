/**
 * Benchmark server: bare Express 5 serving exactly the body of mock-api's `GET /api/items` (serialised once,
 * as mock-api does), with Express defaults otherwise. The baseline of the mock-api benchmark.
 */
import { generateItems } from '@resilience/mock-api';
import express from 'express';
import { serve } from './serve.js';

const items = generateItems();
const body = JSON.stringify({ items, count: items.length });

const app = express();
app.disable('x-powered-by');
app.get('/api/items', (_req, res) => {
  res.type('application/json').send(body);
});

serve(app);
