/** Benchmark server: bare Express 5, no logging middleware (the baseline). */
import { buildApp } from './logging-app.js';
import { serve } from './serve.js';

serve(buildApp([]));
