import type { Protection } from '@resilience/http-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_DEFAULTS } from '../src/config.js';
import { runDemo } from '../src/demo.js';
import { createFakeQueue } from '../src/fake-queue.js';
import { createGuardedPublisher, createQueueProtection } from '../src/publisher.js';
import { memoryLogger } from './helpers/memory-logger.js';

let protection: Protection | undefined;

afterEach(() => {
  protection?.close();
  protection = undefined;
  vi.useRealTimers();
});

describe('runDemo', () => {
  it('publishes after retries, fails as the breaker opens, is refused while open, and recovers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { logger, lines } = memoryLogger();
    protection = createQueueProtection(CONFIG_DEFAULTS, { logger, random: () => 1 });
    const queue = createFakeQueue();
    const publisher = createGuardedPublisher({ queue, protection, logger });
    const demo = runDemo({ queue, publisher, logger, flakyFailures: 2 });
    // Backoffs of message 1 (200 + 400 ms) and message 2 (200 + 400 ms), then the breaker's 2 s reset.
    await vi.advanceTimersByTimeAsync(600 + 600 + 2_000);
    expect(await demo).toEqual({
      outcomes: ['published', 'failed', 'circuit-open', 'published'],
      queueCalls: 3 + 3 + 0 + 1,
    });
    expect(publisher.state()).toBe('CLOSED');
    expect(lines.filter((l) => l.msg?.toString().startsWith('circuit breaker')).map((l) => l.to)).toEqual([
      'OPEN',
      'HALF_OPEN',
      'CLOSED',
    ]);
  });

  it('stops between steps when its signal aborts', async () => {
    const { logger } = memoryLogger();
    protection = createQueueProtection(CONFIG_DEFAULTS, { logger });
    const queue = createFakeQueue();
    const publisher = createGuardedPublisher({ queue, protection, logger });
    const stop = new AbortController();
    stop.abort();
    expect(await runDemo({ queue, publisher, logger, flakyFailures: 0, signal: stop.signal })).toEqual({
      outcomes: [],
      queueCalls: 0,
    });
  });
});
