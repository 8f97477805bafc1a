import { isConfigError } from '@resilience/http-server';
import { createLogger } from '@resilience/logging';
import { configHelp, loadConfig } from './config.js';
import { runDemo } from './demo.js';
import { createFakeQueue } from './fake-queue.js';
import { createGuardedPublisher, createQueueProtection } from './publisher.js';

const SERVICE = 'example-guarded-call';

/** Runs the demo once and exits 0; SIGTERM/SIGINT end it early (also 0). A bad environment exits 1. */
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
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'stopping');
    stop.abort(new Error(`stopped by ${signal}`));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const queue = createFakeQueue();
  const protection = createQueueProtection(config, { logger });
  const publisher = createGuardedPublisher({ queue, protection, logger });
  try {
    const summary = await runDemo({
      queue,
      publisher,
      logger,
      flakyFailures: config.flakyFailures,
      signal: stop.signal,
    });
    logger.info({ ...summary, breaker: publisher.state() }, 'demo finished');
  } finally {
    protection.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

main().catch((error: unknown) => {
  createLogger({ service: SERVICE }).fatal({ err: error }, 'demo failed');
  process.exit(1);
});
