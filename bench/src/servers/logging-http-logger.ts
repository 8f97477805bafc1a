/** Benchmark server: Express 5 + `httpLogger()` from @resilience/logging, logging to /dev/null. */
import { createLogger, httpLogger } from '@resilience/logging';
import { buildApp, devNullDestination } from './logging-app.js';
import { serve } from './serve.js';

const logger = createLogger({ service: 'bench', destination: devNullDestination() });
serve(buildApp([httpLogger({ logger })]));
