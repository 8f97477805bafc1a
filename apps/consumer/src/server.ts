import { installGracefulShutdown, listen } from '@resilience/http-server';
import { createLogger } from '@resilience/logging';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { isConfigError } from './errors/config-error.js';

/**
 * Starts the consumer: reads the environment, listens, and on SIGTERM/SIGINT drains in-flight requests, shuts
 * the breakers down and exits 0. A bad environment exits 1 with a line naming each invalid variable.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!isConfigError(error)) throw error;
    createLogger({ service: 'consumer' }).fatal({ problems: error.problems }, error.message);
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ service: 'consumer', level: config.logLevel });
  let shuttingDown = (): boolean => false;
  const consumer = createApp(config, { logger, isShuttingDown: () => shuttingDown() });
  const { server } = await listen(consumer.app, { port: config.port, host: config.host, logger });
  const shutdown = installGracefulShutdown(server, {
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    onShutdown: () => consumer.close(),
  });
  shuttingDown = shutdown.isShuttingDown;
  logger.info(
    {
      upstream: config.upstreamUrl,
      sendsApiKey: config.upstreamApiKey !== undefined,
      requestDeadlineMs: config.requestDeadlineMs,
      retryMax: config.retryMax,
      breakerFailureThreshold: config.breakerFailureThreshold,
      breakerResetMs: config.breakerResetMs,
    },
    'consumer ready',
  );
}

main().catch((error: unknown) => {
  createLogger({ service: 'consumer' }).fatal({ err: error }, 'consumer failed to start');
  process.exit(1);
});
