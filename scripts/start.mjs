#!/usr/bin/env node
// Runs the demo: mock-api and the consumer from their built dist/, wired together with a working
// configuration. Root `pnpm start` builds both first, then runs this file.
//
// Environment (all optional):
//   MOCK_API_PORT   port of mock-api (default 3001; 0 picks a free one)
//   CONSUMER_PORT   port of the consumer (default 3000; 0 picks a free one)
// (the banner shows the ports in use).
//   LOG_LEVEL       passed to both services (default info)
//
// Both services write JSON log lines; they are passed through to stdout prefixed with the service name.
// Ctrl-C or SIGTERM stops both (each drains its in-flight requests) and exits 0. If either service dies,
// the other is stopped and this script exits 1.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;
const DEMO_API_KEY = 'demo-consumer-key';
const DEMO_ADMIN_TOKEN = 'demo-admin-token';

const out = (text) => process.stdout.write(`${text}\n`);
const err = (text) => process.stderr.write(`${text}\n`);

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535) {
    err(`start: ${name} must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

const mockApiPort = portFromEnv('MOCK_API_PORT', 3001);
const consumerPort = portFromEnv('CONSUMER_PORT', 3000);

/** Children still running, by name. */
const children = new Map();
let stopping = false;

/** A port nobody listens on right now (asks the system for one, then releases it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <entry>` with `env` and prefixes its output. Children run in their own process group, so a
 * Ctrl-C reaches only this script, which then stops them in order.
 */
function startService(name, entry, env) {
  const path = join(root, entry);
  if (!existsSync(path)) {
    throw new Error(`${entry} is missing: build first (pnpm start builds it; or pnpm build)`);
  }
  const child = spawn(process.execPath, [path], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.set(name, child);
  createInterface({ input: child.stdout }).on('line', (line) => out(`[${name}] ${line}`));
  createInterface({ input: child.stderr }).on('line', (line) => err(`[${name}] ${line}`));
  child.on('error', (error) => {
    children.delete(name);
    void stopAll(1, `${name} failed: ${error.message}`);
  });
  child.on('exit', (code, signal) => {
    children.delete(name);
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (!stopping) void stopAll(1, `${name} stopped unexpectedly (${how})`);
  });
}

async function waitReady(name, url) {
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(`${url}/readyz`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not accepting yet
    }
    if (Date.now() > until)
      throw new Error(`${name} was not ready at ${url}/readyz after ${READY_TIMEOUT_MS} ms`);
    if (!children.has(name)) throw new Error(`${name} is not running`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function waitExit(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Stops every running child (SIGTERM, then SIGKILL after STOP_TIMEOUT_MS) and exits with `code`. */
async function stopAll(code, reason) {
  if (stopping) return;
  stopping = true;
  if (reason !== undefined) err(`start: ${reason}; stopping`);
  const running = [...children.values()];
  for (const child of running) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of running) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  await Promise.all(running.map(waitExit));
  clearTimeout(force);
  out(code === 0 ? 'start: both services stopped' : 'start: stopped');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// Last resort if this script itself crashes: never leave the services running.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGKILL');
});

async function main() {
  const logLevel = process.env.LOG_LEVEL ?? 'info';
  const mockPort = mockApiPort === 0 ? await freePort() : mockApiPort;
  const port = consumerPort === 0 ? await freePort() : consumerPort;
  startService('mock-api', 'apps/mock-api/dist/server.js', {
    PORT: String(mockPort),
    HOST,
    LOG_LEVEL: logLevel,
    API_KEYS: `${DEMO_API_KEY}:600:20000`,
    FAULTS_ENABLED: 'true',
    ADMIN_TOKEN: DEMO_ADMIN_TOKEN,
  });
  const mockUrl = `http://${HOST}:${mockPort}`;
  startService('consumer', 'apps/consumer/dist/server.js', {
    PORT: String(port),
    HOST,
    LOG_LEVEL: logLevel,
    UPSTREAM_URL: mockUrl,
    UPSTREAM_API_KEY: DEMO_API_KEY,
  });
  const consumerUrl = `http://${HOST}:${port}`;
  await Promise.all([waitReady('mock-api', mockUrl), waitReady('consumer', consumerUrl)]);

  out(
    [
      '',
      'Both services are up:',
      `  consumer  ${consumerUrl}   (GET /catalog, GET /catalog/:id, POST /checkout, /readyz, /metrics)`,
      `  mock-api  ${mockUrl}   (GET /api/items, POST /api/orders, /__admin/faults)`,
      '',
      'Try:',
      `  curl -s ${consumerUrl}/catalog`,
      `  curl -s -X POST ${consumerUrl}/checkout -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-order-1' -d '{"itemId":"1","quantity":2}'`,
      `  curl -s -X PUT ${mockUrl}/__admin/faults -H 'Authorization: Bearer ${DEMO_ADMIN_TOKEN}' -H 'Content-Type: application/json' -d '{"down":true}'`,
      `then \`curl -si ${consumerUrl}/catalog\` still answers 200 from the stale cache (X-Cache: stale, Age) once`,
      'its retries give up; after 5 failed attempts the breaker opens and answers come back at once.',
      `clear the fault with: curl -s -X DELETE ${mockUrl}/__admin/faults -H 'Authorization: Bearer ${DEMO_ADMIN_TOKEN}'`,
      '',
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  void stopAll(1, error instanceof Error ? error.message : String(error));
});
