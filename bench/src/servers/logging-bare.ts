/** Benchmark server: bare Express 5, no logging middleware (the baseline). */
import { buildApp, serve } from './logging-app.js';

serve(buildApp([]));
