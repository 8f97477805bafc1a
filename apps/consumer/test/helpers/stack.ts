import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@resilience/logging';
import { createApp as createMockApi, loadConfig as loadMockApiConfig } from '@resilience/mock-api';
import { type ConsumerApp, type ConsumerDeps, createApp } from '../../src/app.js';
import { type ConsumerConfig, loadConfig } from '../../src/config.js';
import { send, type TestRequest, type TestResponse } from './http.js';
import { createLogSink, type LogSink } from './log-sink.js';

/** The consumer's key at mock-api: a tier high enough that no test is ever rate limited. */
export const TEST_API_KEY = 'consumer-test-key';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Marks the test's own requests to mock-api (fault API, order listing), which are not counted as hits. */
const PROBE_HEADER = 'x-test-probe';

/** One request that reached mock-api's `/api`. */
export interface UpstreamHit {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface Order {
  readonly id: string;
  readonly itemId: string;
  readonly quantity: number;
  readonly idempotencyKey: string | null;
}

/** The real mock-api, in process, on 127.0.0.1 port 0, with a counter in front of it. */
export interface MockApiHandle {
  readonly url: string;
  /** Every `/api` request that reached the server, in order (the test's probes excluded). */
  readonly hits: UpstreamHit[];
  readonly logs: LogSink;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Resolves once `count` `/api` requests have arrived. */
  waitForHits(count: number): Promise<void>;
  /**
   * Holds every `/api` request that arrives from now on (counted, not yet handled) until the returned function
   * is called: a request the test can keep in flight as long as it needs.
   */
  hold(): () => void;
  setFaults(profile: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  orders(): Promise<Order[]>;
  close(): Promise<void>;
}

function listenOnFreePort(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startMockApi(env: Record<string, string> = {}): Promise<MockApiHandle> {
  const logs = createLogSink();
  const config = loadMockApiConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    API_KEYS: `${TEST_API_KEY}:1000000:10000000`,
    FAULTS_ENABLED: 'true',
    ADMIN_TOKEN,
    ...env,
  });
  const mock = createMockApi(config, {
    logger: createLogger({ service: 'mock-api', destination: logs.destination }),
    collectDefaultMetrics: false,
  });
  const hits: UpstreamHit[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let connections = 0;
  let gate: Promise<void> | undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const counted = path.startsWith('/api') && req.headers[PROBE_HEADER] === undefined;
    if (counted) {
      hits.push({ method: req.method ?? 'GET', path, headers: req.headers });
      for (const waiter of waiters.filter((w) => hits.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    if (counted && gate !== undefined) void gate.then(() => mock.app(req, res));
    else mock.app(req, res);
  });
  server.on('connection', () => {
    connections += 1;
  });
  const url = await listenOnFreePort(server);

  const admin = async (method: string, body?: unknown): Promise<void> => {
    const init: TestRequest = {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, [PROBE_HEADER]: '1' },
    };
    const response = await send(`${url}/__admin/faults`, body === undefined ? init : { ...init, body });
    if (response.status >= 300) throw new Error(`fault API answered ${response.status}: ${response.text}`);
  };

  return {
    url,
    hits,
    logs,
    connections: () => connections,
    waitForHits: (count) =>
      hits.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    hold() {
      let release: () => void = () => {};
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
    setFaults: (profile) => admin('PUT', profile),
    clearFaults: () => admin('DELETE'),
    async orders() {
      const response = await send(`${url}/api/orders?limit=10000`, {
        headers: { 'x-api-key': TEST_API_KEY, [PROBE_HEADER]: '1' },
      });
      if (response.status !== 200)
        throw new Error(`GET /api/orders answered ${response.status}: ${response.text}`);
      return (response.body as { orders: Order[] }).orders;
    },
    async close() {
      mock.beginShutdown();
      await closeServer(server);
      await mock.close();
    },
  };
}

/** The consumer under test, listening on 127.0.0.1 port 0, with its logs in memory. */
export interface ConsumerHandle {
  readonly url: string;
  readonly config: ConsumerConfig;
  readonly consumer: ConsumerApp;
  readonly logs: LogSink;
  request(path: string, init?: TestRequest): Promise<TestResponse>;
  /** The `/metrics` text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the consumer in front of `upstream`. Retries wait 0 ms by default (`RETRY_BASE_MS=0`): the tests are
 * about what is retried and what the user sees, the backoff schedule is the client's own test.
 */
export async function startConsumer(
  upstream: Pick<MockApiHandle, 'url'>,
  env: Record<string, string> = {},
  deps: Omit<ConsumerDeps, 'logger'> = {},
): Promise<ConsumerHandle> {
  const logs = createLogSink();
  const config = loadConfig({
    UPSTREAM_URL: upstream.url,
    UPSTREAM_API_KEY: TEST_API_KEY,
    RETRY_BASE_MS: '0',
    ...env,
  });
  const logger = createLogger({ service: 'consumer', level: config.logLevel, destination: logs.destination });
  const consumer = createApp(config, { ...deps, logger });
  const server = createServer(consumer.app);
  const url = await listenOnFreePort(server);
  return {
    url,
    config,
    consumer,
    logs,
    request: (path, init) => send(`${url}${path}`, init),
    async metrics() {
      return (await send(`${url}/metrics`)).text;
    },
    async close() {
      await closeServer(server);
      await consumer.close();
    },
  };
}

/**
 * The sum of the samples of `name` in a Prometheus text exposition whose labels include `labels` (0 when none).
 */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    const found = Object.fromEntries(
      [...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}
