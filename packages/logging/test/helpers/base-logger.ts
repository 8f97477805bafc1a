import { createLogger } from '../../src/index.js';
import { createMemoryDestination } from './memory-destination.js';

/** The one logger the whole test app shares, as an application's `logger.ts` module would export it. */
export const baseDestination = createMemoryDestination();
export const baseLogger = createLogger({
  service: 'interleaving-test',
  level: 'debug',
  destination: baseDestination,
});
