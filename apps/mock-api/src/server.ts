import { type GracefulShutdown, installGracefulShutdown, listen } from '@resilience/http-server';
import { createLogger } from '@resilience/logging';
import { createApp } from './app.js';
import { loadConfig, type MockApiConfig } from './config.js';
import { isConfigError } from './errors/config-error.js';

/**
 * Entry point: reads the configuration from the environment (a bad value stops the process with a message
 * naming the variable), listens, and on SIGTERM/SIGINT stops accepting, drains in-flight requests (bounded by
 * SHUTDOWN_TIMEOUT_MS), closes Redis and exits 0.
 */
async function main(): Promise<void> {
  let config: MockApiConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    const logger = createLogger({ service: 'mock-api' });
    if (isConfigError(error)) {
      logger.fatal({ variable: error.variable }, `invalid configuration: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  const logger = createLogger({ level: config.logLevel, service: 'mock-api' });
  let shutdown: GracefulShutdown | undefined;
  const mockApi = createApp(config, { logger, isShuttingDown: () => shutdown?.isShuttingDown() ?? false });
  const listening = await listen(mockApi.app, {
    port: config.port,
    host: config.host,
    logger,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  shutdown = installGracefulShutdown(listening.server, {
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    // Requests held by a `hang` fault would otherwise keep the drain waiting for its whole timeout.
    onShutdownStart: () => mockApi.beginShutdown(),
    onShutdown: () => mockApi.close(),
  });
  logger.info(
    {
      redis: config.redis === undefined ? 'disabled' : 'enabled',
      faults: config.faults.enabled,
      perMinute: config.rateLimit.perMinute,
      perHour: config.rateLimit.perHour,
      apiKeys: config.rateLimit.apiKeys.size,
      trustProxy: config.trustProxy,
    },
    'mock-api started',
  );
}

main().catch((error: unknown) => {
  createLogger({ service: 'mock-api' }).fatal({ err: error }, 'mock-api failed to start');
  process.exitCode = 1;
});
