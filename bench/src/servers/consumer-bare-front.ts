/**
 * Benchmark server: the near end of the bare two-hop chain. Bare Express 5 answering `GET /catalog` by calling
 * `GET /api/items` on BENCH_UPSTREAM_URL with axios over a keep-alive agent, and sending the parsed body back:
 * what the consumer does, without retries, breaker, deadline, cache, request ids, logging or metrics.
 */
import { Agent } from 'node:http';
import axios from 'axios';
import express from 'express';
import { serve } from './serve.js';

const upstream = process.env.BENCH_UPSTREAM_URL;
if (upstream === undefined || upstream === '') throw new Error('BENCH_UPSTREAM_URL is required');

const client = axios.create({
  baseURL: upstream,
  httpAgent: new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
});

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.get('/catalog', async (_req, res) => {
  try {
    const response = await client.get('/api/items');
    res.json(response.data);
  } catch {
    res.status(502).json({ error: 'bad_gateway' });
  }
});

serve(app);
