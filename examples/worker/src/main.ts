import { isConfigError } from '@resilience/http-server';
import { createLogger } from '@resilience/logging';
import { configHelp, loadConfig } from './config.js';
import { createUpstreamClient } from './upstream.js';
import { createWorker } from './worker.js';

const SERVICE = 'example-worker';

/**
 * Polls until SIGTERM/SIGINT, then aborts the poll in flight, closes the client and lets the process exit 0 by
 * itself (nothing is left running). A second signal exits 1 at once. A bad environment exits 1.
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
  const client = createUpstreamClient(config, { logger });
  const worker = createWorker({ client, url: config.upstreamUrl, intervalMs: config.pollIntervalMs, logger });

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    void worker.stop().then(() => {
      client.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.info('worker stopped');
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  logger.info(
    {
      upstream: config.upstreamUrl,
      pollIntervalMs: config.pollIntervalMs,
      retryMax: config.retryMax,
      requestDeadlineMs: config.requestDeadlineMs,
      breakerFailureThreshold: config.breakerFailureThreshold,
    },
    'worker started',
  );
  await worker.run();
}

main().catch((error: unknown) => {
  createLogger({ service: SERVICE }).fatal({ err: error }, 'worker failed');
  process.exit(1);
});
