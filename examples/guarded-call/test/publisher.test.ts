import type { Protection } from '@resilience/http-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_DEFAULTS, type GuardedCallConfig } from '../src/config.js';
import { createFakeQueue, type FakeQueue, MAX_BODY_BYTES } from '../src/fake-queue.js';
import { createGuardedPublisher, createQueueProtection, type GuardedPublisher } from '../src/publisher.js';
import { type LogLine, memoryLogger } from './helpers/memory-logger.js';

const MESSAGE = { topic: 'orders', body: '{"order":1}' };

let protection: Protection | undefined;

beforeEach(() => {
  // Backoff, attempt timeouts and the breaker's reset all run on fake time; the queue is in process.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(() => {
  protection?.close();
  protection = undefined;
  vi.useRealTimers();
});

function build(overrides: Partial<GuardedCallConfig> = {}): {
  queue: FakeQueue;
  publisher: GuardedPublisher;
  lines: LogLine[];
} {
  const { logger, lines } = memoryLogger();
  const config = { ...CONFIG_DEFAULTS, ...overrides };
  // random() = 1: equal jitter waits exactly the nominal delay (base, 2 x base, 4 x base ...).
  protection = createQueueProtection(config, { logger, random: () => 1 });
  const queue = createFakeQueue();
  return { queue, publisher: createGuardedPublisher({ queue, protection, logger }), lines };
}

describe('createGuardedPublisher', () => {
  it('retries a failing publish after 200 ms, then 400 ms, and publishes on the third attempt', async () => {
    const { queue, publisher, lines } = build({ retryMax: 3, retryBaseMs: 200 });
    queue.failNext(2);
    const result = publisher.publish(MESSAGE);
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(199);
    expect(queue.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(queue.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(399);
    expect(queue.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toEqual({ outcome: 'published', offset: 0, attempts: 3 });
    expect(queue.stored).toEqual([MESSAGE]);
    expect(lines.filter((l) => l.msg === 'retrying outbound call').map((l) => l.delayMs)).toEqual([200, 400]);
    expect(publisher.state()).toBe('CLOSED');
  });

  it('gives up after RETRY_MAX retries with the queue error', async () => {
    const { queue, publisher, lines } = build({ retryMax: 1, breakerFailureThreshold: 10 });
    queue.setDown(true);
    const result = publisher.publish(MESSAGE);
    await vi.advanceTimersByTimeAsync(200);
    const outcome = await result;
    expect(outcome).toMatchObject({ outcome: 'failed', attempts: 2 });
    expect(outcome.outcome === 'failed' && outcome.error).toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' });
    expect(queue.calls).toBe(2);
    expect(lines.find((l) => l.msg === 'message failed')).toMatchObject({
      attempts: 2,
      code: 'ERR_QUEUE_UNAVAILABLE',
    });
  });

  it('opens the breaker at the 3rd consecutive failure and then refuses without calling the queue', async () => {
    const { queue, publisher } = build({ retryMax: 5, breakerFailureThreshold: 3, breakerResetMs: 2_000 });
    queue.setDown(true);
    const first = publisher.publish(MESSAGE);
    await vi.advanceTimersByTimeAsync(200 + 400);
    // The attempt that opened the breaker ends the call: no backoff is slept after it.
    expect(await first).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(publisher.state()).toBe('OPEN');

    expect(await publisher.publish(MESSAGE)).toEqual({
      outcome: 'circuit-open',
      attempts: 0,
      retryAfterMs: 2_000,
    });
    expect(queue.calls).toBe(3);
  });

  it('lets one trial publish through after BREAKER_RESET_MS and closes the breaker when it succeeds', async () => {
    const { queue, publisher } = build({ retryMax: 0, breakerFailureThreshold: 1, breakerResetMs: 2_000 });
    queue.failNext(1);
    expect(await publisher.publish(MESSAGE)).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(publisher.state()).toBe('OPEN');
    const halfOpen = publisher.whenState('HALF_OPEN');
    await vi.advanceTimersByTimeAsync(1_999);
    expect(publisher.state()).toBe('OPEN');
    await vi.advanceTimersByTimeAsync(1);
    await halfOpen;
    expect(publisher.state()).toBe('HALF_OPEN');
    expect(await publisher.publish(MESSAGE)).toEqual({ outcome: 'published', offset: 0, attempts: 1 });
    expect(publisher.state()).toBe('CLOSED');
  });

  it('cuts a hanging attempt at CALL_TIMEOUT_MS and retries it', async () => {
    const { queue, publisher, lines } = build({ callTimeoutMs: 1_000, retryBaseMs: 200 });
    queue.hangNext(1);
    const result = publisher.publish(MESSAGE);
    await vi.advanceTimersByTimeAsync(999);
    expect(queue.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1 + 200);
    expect(await result).toEqual({ outcome: 'published', offset: 0, attempts: 2 });
    expect(lines.find((l) => l.msg === 'retrying outbound call')).toMatchObject({
      reason: 'ERR_HTTP_TIMEOUT',
    });
  });

  it('does not retry a message the queue refuses, and never opens the breaker for it', async () => {
    const { queue, publisher } = build({ breakerFailureThreshold: 2 });
    const tooLarge = { topic: 'orders', body: 'x'.repeat(MAX_BODY_BYTES + 1) };
    for (let i = 0; i < 3; i += 1) {
      const outcome = await publisher.publish(tooLarge);
      expect(outcome).toMatchObject({ outcome: 'failed', attempts: 1 });
    }
    expect(queue.calls).toBe(3);
    expect(publisher.state()).toBe('CLOSED');
  });
});
