import {
  type GracefulShutdown,
  installGracefulShutdown,
  isListenError,
  type ListeningServer,
  listen,
} from '@resilience/http-server';
import { createLogger } from '@resilience/logging';
import { createApp } from './app.js';
import { configHelp, loadConfig, type MockApiConfig, redactRedisUrl, unusedVariables } from './config.js';
import { isConfigError } from './errors/config-error.js';

/**
 * Entry point: reads the configuration from the environment (a bad environment stops the process with one line
 * naming every invalid variable), listens, and on SIGTERM/SIGINT stops accepting, drains in-flight requests
 * (bounded by SHUTDOWN_TIMEOUT_MS), closes Redis and exits 0. `--help` lists every variable with its default.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(configHelp());
    return;
  }
  let config: MockApiConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    createLogger({ service: 'mock-api' }).fatal(
      { code: error.code, variable: error.variable, problems: error.problems },
      error.message,
    );
    process.exitCode = 1;
    return;
  }

  const logger = createLogger({ level: config.logLevel, service: 'mock-api' });
  for (const unused of unusedVariables(process.env, config))
    logger.warn({ variable: unused.variable }, unused.message);
  let shutdown: GracefulShutdown | undefined;
  const mockApi = createApp(config, { logger, isShuttingDown: () => shutdown?.isShuttingDown() ?? false });
  let listening: ListeningServer;
  try {
    listening = await listen(mockApi.app, {
      port: config.port,
      host: config.host,
      logger,
      requestTimeoutMs: config.requestTimeoutMs,
    });
  } catch (error) {
    await mockApi.close();
    if (!isListenError(error)) throw error;
    const portInUse = error.code === 'EADDRINUSE';
    logger.fatal(
      { code: error.code, variable: portInUse ? 'PORT' : 'HOST' },
      `${error.message}: ${portInUse ? 'set PORT to a free port (0 picks one), or HOST to another address' : 'check HOST and PORT'}`,
    );
    process.exitCode = 1;
    return;
  }
  shutdown = installGracefulShutdown(listening.server, {
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    // Requests held by a `hang` fault would otherwise keep the drain waiting for its whole timeout.
    onShutdownStart: () => mockApi.beginShutdown(),
    onShutdown: () => mockApi.close(),
  });
  const stores = describeStores(config);
  logger.info(
    {
      stores: stores.kind,
      ...(stores.redisUrl === undefined
        ? {}
        : { redisUrl: stores.redisUrl, redisKeyPrefix: stores.keyPrefix }),
      redis: config.redis === undefined ? 'disabled' : 'enabled',
      faults: config.faults.enabled,
      perMinute: config.rateLimit.perMinute,
      perHour: config.rateLimit.perHour,
      apiKeys: config.rateLimit.apiKeys.size,
      trustProxy: config.trustProxy,
    },
    `mock-api started: ${stores.text}`,
  );
}

/** Where rate-limit counters, orders and idempotency records live, said for the start-up line. */
function describeStores(config: MockApiConfig): {
  readonly kind: 'memory' | 'redis';
  readonly text: string;
  readonly redisUrl?: string;
  readonly keyPrefix?: string;
} {
  if (config.redis === undefined) {
    return {
      kind: 'memory',
      text: 'rate limits, orders and idempotency records in memory (this process only; set REDIS_URL to share them)',
    };
  }
  const redisUrl = redactRedisUrl(config.redis.url);
  return {
    kind: 'redis',
    text: `rate limits, orders and idempotency records in Redis at ${redisUrl} (key prefix ${config.redis.keyPrefix})`,
    redisUrl,
    keyPrefix: config.redis.keyPrefix,
  };
}

main().catch((error: unknown) => {
  createLogger({ service: 'mock-api' }).fatal({ err: error }, 'mock-api failed to start');
  process.exitCode = 1;
});
