/**
 * Benchmark server: the consumer app as `apps/consumer` builds it from the environment, with the upstream
 * client's `transport` set from BENCH_TRANSPORT (`undici` or `node-http`), served by a plain `node:http` server.
 */
import { createApp, createConsumerMetrics, createUpstreamClient, loadConfig } from '@resilience/consumer';
import { createLogger } from '@resilience/logging';
import { serve } from './serve.js';

const transport = process.env.BENCH_TRANSPORT;
if (transport !== 'undici' && transport !== 'node-http') {
  throw new Error('BENCH_TRANSPORT must be undici or node-http');
}
const config = loadConfig();
const logger = createLogger({ service: 'consumer', level: config.logLevel });
const metrics = createConsumerMetrics();
const client = createUpstreamClient(config, { logger, metrics, overrides: { transport } });
const consumer = createApp(config, { logger, metrics, client });
serve(consumer.app, () => consumer.close());
