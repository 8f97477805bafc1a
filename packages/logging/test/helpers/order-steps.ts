import { baseLogger } from './base-logger.js';

/**
 * Code that never sees the request: it only imports the base logger, like a repository or an
 * HTTP client deep in an application. Lines it writes must still carry the right requestId.
 */
export function recordStep(order: number, step: string): void {
  baseLogger.info({ order, step }, 'order step');
}

export async function recordStepLater(order: number, step: string): Promise<void> {
  await Promise.resolve();
  baseLogger.child({ component: 'orders' }).info({ order, step }, 'order step');
}
