import { installGracefulShutdown, isConfigError, isListenError, listen } from '@resilience/http-server';
import { createLogger } from '@resilience/logging';
import { createApp } from './app.js';
import { configHelp, loadConfig } from './config.js';

const SERVICE = 'example-express-api';

/**
 * Reads the environment, listens, and on SIGTERM/SIGINT drains in-flight requests and exits 0.
 * A bad environment exits 1 with a line naming every invalid variable.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(configHelp());
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!isConfigError(error)) throw error;
    createLogger({ service: SERVICE }).fatal({ problems: error.problems }, error.message);
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ service: SERVICE, level: config.logLevel });
  let shuttingDown = (): boolean => false;
  const api = createApp({
    logger,
    rateLimitPerMinute: config.rateLimitPerMinute,
    isShuttingDown: () => shuttingDown(),
  });
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(api.app, { port: config.port, host: config.host, logger });
  } catch (error) {
    await api.close();
    if (!isListenError(error)) throw error;
    logger.fatal({ code: error.code }, `${error.message}: set PORT to a free port (0 picks one)`);
    process.exitCode = 1;
    return;
  }
  const shutdown = installGracefulShutdown(listening.server, {
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    onShutdown: () => api.close(),
  });
  shuttingDown = shutdown.isShuttingDown;
  logger.info(
    {
      try: `${listening.url}/hello`,
      metrics: `${listening.url}/metrics`,
      rateLimitPerMinute: config.rateLimitPerMinute,
    },
    'example ready',
  );
}

main().catch((error: unknown) => {
  createLogger({ service: SERVICE }).fatal({ err: error }, 'failed to start');
  process.exit(1);
});
