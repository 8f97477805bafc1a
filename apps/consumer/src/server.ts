import { installGracefulShutdown, isConfigError, isListenError, listen } from '@resilience/http-server';
import { createLogger } from '@resilience/logging';
import { createApp } from './app.js';
import { configHelp, loadConfig } from './config.js';

/**
 * Starts the consumer: reads the environment, listens, and on SIGTERM/SIGINT drains in-flight requests, shuts
 * the breakers down and exits 0. A bad environment exits 1 with one line naming every invalid variable;
 * `--help` lists every variable with its default.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(configHelp());
    return;
  }
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
  let server: Awaited<ReturnType<typeof listen>>['server'];
  try {
    ({ server } = await listen(consumer.app, { port: config.port, host: config.host, logger }));
  } catch (error) {
    await consumer.close();
    if (!isListenError(error)) throw error;
    logger.fatal(
      { code: error.code, variable: error.code === 'EADDRINUSE' ? 'PORT' : 'HOST' },
      `${error.message}: ${error.code === 'EADDRINUSE' ? 'set PORT to a free port (0 picks one)' : 'check HOST and PORT'}`,
    );
    process.exitCode = 1;
    return;
  }
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
