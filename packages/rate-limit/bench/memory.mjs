// Bytes per client of the memory stores, at 100,000 clients with the two windows of the mock-api (a minute and an
// hour). Run with `pnpm --filter @resilience/rate-limit bench:memory` (builds, then node --expose-gc). Reports,
// asserts nothing: heap figures vary a little with the Node version.
import { MemoryStore } from 'express-rate-limit';
import { createMemoryStore } from '../dist/index.js';

const CLIENTS = Number(process.env.CLIENTS ?? 100_000);
const WINDOWS = [
  { name: 'minute', windowMs: 60_000, limit: 10, algorithm: 'fixed' },
  { name: 'hour', windowMs: 3_600_000, limit: 100, algorithm: 'sliding' },
];

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with node --expose-gc\n');
  process.exit(1);
}

function heap() {
  globalThis.gc();
  globalThis.gc();
  // Typed arrays live outside the JavaScript heap: count their buffers too.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** An IPv4 client key as the limiter builds it: a fresh string per client. */
const keyOf = (i) => `ip:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function measure(name, build) {
  const before = heap();
  const started = process.hrtime.bigint();
  const { consume, reclaim, close } = build();
  for (let i = 0; i < CLIENTS; i += 1) await consume(keyOf(i));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const filled = heap();
  let reclaimed;
  if (reclaim !== undefined) {
    reclaim();
    reclaimed = heap();
  }
  const row = {
    store: name,
    clients: CLIENTS,
    bytesPerClient: Math.round((filled - before) / CLIENTS),
    afterReclaimBytes: reclaimed === undefined ? 'n/a' : Math.max(0, Math.round(reclaimed - before)),
    msPer1000Requests: Math.round((elapsed / CLIENTS) * 1000 * 100) / 100,
  };
  await close();
  return row;
}

const now = Date.parse('2026-01-01T10:00:00Z');
const rows = [];
rows.push(
  await measure('createMemoryStore (2 windows)', () => {
    const store = createMemoryStore({ maxClients: CLIENTS, sweepIntervalMs: 0 });
    return {
      consume: (key) => store.consume(key, WINDOWS, now),
      reclaim: () => store.sweep(now + 2 * 3_600_000),
      close: () => store.shutdown(),
    };
  }),
);
rows.push(
  await measure('express-rate-limit MemoryStore x 2 (one per window)', () => {
    const minute = new MemoryStore();
    const hour = new MemoryStore();
    minute.init({ windowMs: 60_000 });
    hour.init({ windowMs: 3_600_000 });
    return {
      consume: async (key) => {
        await minute.increment(key);
        await hour.increment(key);
      },
      close: () => {
        minute.shutdown();
        hour.shutdown();
      },
    };
  }),
);
process.stdout.write(`node ${process.version}\n${JSON.stringify(rows, null, 2)}\n`);
