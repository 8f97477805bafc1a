#!/usr/bin/env node
// Runs the demo: mock-api and the consumer from their built dist/, wired together with a working
// configuration. Root `pnpm start` runs this file with --build (it builds both apps first, through turbo).
// `node scripts/start.mjs --help` lists the options and variables.
//
// Output: on a terminal, each service's log lines are pretty-printed (pino-pretty), led by the service name;
// piped or redirected, stdout carries the services' JSON lines unchanged (each has a `service` field), so
// `pnpm start | jq` and `pnpm start | pino-pretty` work. This script's own messages (the banner, stop
// notices) always go to stderr.
//
// Stopping: Ctrl-C on a terminal is read as a key (the terminal is in raw mode while the services run), so
// it reaches only this script, not whatever else shares the terminal (a `| tee log`, pnpm): both services
// drain their in-flight requests and the script exits 0. SIGINT and SIGTERM from elsewhere do the same. A
// second Ctrl-C kills both at once. If either service dies, the other is stopped and the script exits 1.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const DEMO_API_KEY = 'demo-consumer-key';
const DEMO_ADMIN_TOKEN = 'demo-admin-token';
const CTRL_C = '\u0003';

const USAGE = `Usage: pnpm start [-- options]      (or: node scripts/start.mjs [options])

Starts mock-api and the consumer on 127.0.0.1, wired together, and prints example requests.

Options:
  --build      build both apps first (pnpm start passes it)
  --pretty     pretty-print the services' log lines (default when stdout is a terminal)
  --json       write the services' JSON log lines unchanged (default when stdout is piped)
  -h, --help   this text

Environment (all optional):
  MOCK_API_PORT   port of mock-api (default 3001; 0 picks a free one)
  CONSUMER_PORT   port of the consumer (default 3000; 0 picks a free one)
  LOG_LEVEL       log level of both services (default info)
  REDIS_URL       when set, mock-api keeps rate limits and orders in this Redis instead of in memory
                  (the banner says which); any other variable of either app passes through too
                  (node apps/mock-api/dist/server.js --help, node apps/consumer/dist/server.js --help)
`;

/** The command line, parsed. Unknown options stop the script with exit code 2. */
function parseArgs(argv) {
  const options = { build: false, format: undefined, help: false };
  for (const arg of argv) {
    if (arg === '--') continue;
    if (arg === '--build') options.build = true;
    else if (arg === '--pretty') options.format = 'pretty';
    else if (arg === '--json') options.format = 'json';
    else if (arg === '--help' || arg === '-h') options.help = true;
    else {
      process.stderr.write(`start: unknown option ${JSON.stringify(arg)}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

/** Writes to stdout/stderr unless that stream has gone away (a closed pipe must not crash the stop). */
function guardedWriter(stream) {
  let open = true;
  stream.on('error', () => {
    open = false;
  });
  return (text) => {
    if (open) stream.write(`${text}\n`);
  };
}
const out = guardedWriter(process.stdout);
const err = guardedWriter(process.stderr);

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
const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');

/**
 * Turns one output line of a service into what this script prints: the line itself in JSON mode (with
 * `service` added when a JSON line lacks it, and a non-JSON line, such as a stack trace on stderr, wrapped
 * into a JSON line), or a pretty line led by the service name.
 */
async function createLineFormatter() {
  if (format === 'json') {
    return (service, line, stream) => {
      const parsed = parseJsonLine(line);
      if (parsed !== undefined)
        return parsed.service === undefined ? JSON.stringify({ service, ...parsed }) : line;
      return JSON.stringify({
        level: stream === 'stderr' ? 'error' : 'info',
        time: new Date().toISOString(),
        service,
        stream,
        msg: line,
      });
    };
  }
  const { prettyFactory } = await import('pino-pretty');
  const pretty = prettyFactory({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    messageFormat: '{service} {msg}',
    singleLine: true,
  });
  return (service, line) => {
    const parsed = parseJsonLine(line);
    if (parsed === undefined) return `${service} ${line}`;
    return pretty(JSON.stringify({ ...parsed, service: parsed.service ?? service })).replace(/\n$/, '');
  };
}

/** A log line parsed as a JSON object, or undefined when it is not one (a stack trace, a plain message). */
function parseJsonLine(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Children still running, by name. */
const children = new Map();
/** Per child: resolves on its 'close' event (exited, output read to the end). */
const closed = new Map();
/** The last "mock-api started" line, which says which stores mock-api uses. */
let mockApiStarted;
let stopping = false;
let formatLine;

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

/** Builds both apps and what they depend on (turbo, cached); its output goes to stderr. */
function build() {
  return new Promise((resolve, reject) => {
    // turbo from the workspace itself, so this works however pnpm was started (npx, corepack, a global one).
    const child = spawn(
      join(root, 'node_modules', '.bin', 'turbo'),
      [
        'run',
        'build',
        '--filter=@resilience/mock-api',
        '--filter=@resilience/consumer',
        '--output-logs=errors-only',
      ],
      { cwd: root, stdio: ['ignore', 2, 2] },
    );
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`the build failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/**
 * Starts `node <entry>` with `env` and passes its output on. Children run in their own process group, so a
 * signal sent to the terminal's group reaches only this script, which then stops them in order.
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
  // 'close' comes after the child's stdout and stderr have ended, so its last lines (the shutdown summary) are
  // passed on before this script exits; 'exit' can come while they are still in the pipe.
  closed.set(child, new Promise((resolve) => child.once('close', () => resolve())));
  const onLine = (stream) => (line) => {
    // Its message is `mock-api started: <stores>`: match the start, then read the fields.
    if (name === 'mock-api' && line.includes('"msg":"mock-api started')) {
      try {
        mockApiStarted = JSON.parse(line);
      } catch {
        // not the line we look for
      }
    }
    out(formatLine(name, line, stream));
  };
  createInterface({ input: child.stdout }).on('line', onLine('stdout'));
  createInterface({ input: child.stderr }).on('line', onLine('stderr'));
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
    if (!children.has(name)) throw new Error(`${name} is not running`);
    if (Date.now() > until)
      throw new Error(`${name} was not ready at ${url}/readyz after ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once the child has exited and its output has been read to the end. */
function waitExit(child) {
  return closed.get(child) ?? Promise.resolve();
}

function killAll(signal) {
  for (const child of children.values()) child.kill(signal);
}

/** Stops every running child (SIGTERM, then SIGKILL after STOP_TIMEOUT_MS) and exits with `code`. */
async function stopAll(code, reason) {
  if (stopping) return;
  stopping = true;
  if (reason !== undefined) err(`start: ${reason}; stopping`);
  const running = [...children.values()];
  killAll('SIGTERM');
  const force = setTimeout(() => killAll('SIGKILL'), STOP_TIMEOUT_MS);
  await Promise.all(running.map(waitExit));
  clearTimeout(force);
  err(code === 0 ? 'start: both services stopped' : 'start: stopped');
  process.exit(code);
}

/** Ctrl-C: the first stops both services gracefully, a second one kills them. */
function interrupt() {
  if (stopping) {
    err('start: killing both services');
    killAll('SIGKILL');
    return;
  }
  void stopAll(0);
}

/**
 * On a terminal, reads Ctrl-C as a key instead of letting the terminal turn it into SIGINT for its whole
 * foreground process group (which would also stop a `| tee` before it has read the last lines, and make
 * pnpm report a failed command although the services stopped cleanly).
 */
function readCtrlCFromTerminal() {
  if (!process.stdin.isTTY) return;
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (keys) => {
    if (keys.includes(CTRL_C)) {
      err('^C');
      interrupt();
    }
  });
  process.stdin.resume();
}

process.on('SIGINT', interrupt);
process.on('SIGTERM', () => void stopAll(0));
// Last resort if this script itself crashes: never leave the services running.
process.on('exit', () => killAll('SIGKILL'));

/** What the banner says about mock-api's stores (from its own start line, so it is what it really uses). */
function storesLine() {
  const url = process.env.REDIS_URL;
  if (mockApiStarted?.redis === 'enabled' && url !== undefined && url !== '') {
    const shown = url.replace(/\/\/[^@/]*@/, '//***@');
    return `stores    Redis at ${shown} (REDIS_URL is set in the environment; unset it for in-memory stores)`;
  }
  if (mockApiStarted?.redis === 'enabled') return 'stores    Redis';
  return 'stores    in memory (set REDIS_URL to keep rate limits and orders in Redis)';
}

async function main() {
  if (options.build) await build();
  formatLine = await createLineFormatter();
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
  readCtrlCFromTerminal();

  err(
    [
      '',
      'Both services are up:',
      `  consumer  ${consumerUrl}   (GET /catalog, GET /catalog/:id, POST /checkout, /readyz, /metrics)`,
      `  mock-api  ${mockUrl}   (GET /api/items, POST /api/orders, /__admin/faults)`,
      `  ${storesLine()}`,
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
