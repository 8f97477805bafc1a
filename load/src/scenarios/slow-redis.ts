import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { createFaultProxy, type FaultProxy } from '@resilience/fault-proxy';
import type { CheckResult, Invariant } from '../checks.js';
import { RedisUnreachableError } from '../errors/redis-unreachable-error.js';
import { createFaultApi } from '../fault-api.js';
import { isApiRequest, type MockApiLog, parseMockApiLog } from '../mock-api-log.js';
import { describeError } from '../process-checks.js';
import {
  firstBucketBound,
  histogramTail,
  type LabelFilter,
  parsePrometheusText,
  sumSamples,
} from '../prometheus-text.js';
import { accountWindows, verifyWindows } from '../rate-limit-windows.js';
import { deleteKeysWithPrefix } from '../redis-keys.js';
import { pingRedis } from '../redis-ping.js';
import { verifyHistogramTail, verifyRedisWaitBound, verifyStoreErrors } from '../redis-wait-checks.js';
import type { RequestRecord } from '../request-log.js';
import type { ScenarioDefinition } from '../scenario-definition.js';
import type { RunningService } from '../service.js';
import { is2xx } from '../traffic-stats.js';
import { concurrencyCheck, scenarioFile, startConsumerStack } from './consumer-scenario.js';
import {
  CLIENT_COUNT,
  MINUTE_POLICY,
  PER_MINUTE,
  randomClientNet,
  rateLimitedEnv,
  rateLimitInvariants,
} from './rate-limit.js';
import { describeEnv } from './services.js';
import { TRANSIENT_FAULTS, verifyLoadOrders } from './transient-faults.js';

/** Each chunk between mock-api and Redis, each way, is delayed by 0 to this many ms (order kept). */
export const REDIS_JITTER_MS = 50;
/** mock-api's default bound on one Redis command, set explicitly so the check and the service agree. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** Redis commands one request sends at most, one after the other: the minute window, the hour window, the order. */
export const REDIS_COMMANDS_PER_REQUEST = 3;
/** mock-api's documented bound on one request's waiting on Redis: 3 x 1000 ms. */
export const REDIS_WAIT_BOUND_MS = REDIS_COMMANDS_PER_REQUEST * REDIS_COMMAND_TIMEOUT_MS;
/**
 * Store errors allowed, as a share of mock-api's `/api` requests. A round trip through the proxy takes at most
 * 2 x 50 ms of jitter plus Redis' own time, a tenth of the 1000 ms timeout: a store error here needs the machine
 * to stall mock-api or the proxy for about 900 ms, which on a busy shared 2-core machine happens in bursts, not
 * per request. 1 % tolerates a few such bursts and still fails a run where the jitter itself reaches the timeout
 * (then most requests see an error).
 */
export const STORE_ERROR_CEILING = 0.01;
/** Name of the request the anonymous clients send straight to mock-api (see slow-redis.yml). */
export const ANONYMOUS_REQUEST = 'anonymous-orders';

const INJECTED_LATENCY_MS = typeof TRANSIENT_FAULTS.latencyMs === 'number' ? TRANSIENT_FAULTS.latencyMs : 0;
const DURATION_HISTOGRAM = 'http_request_duration_seconds';
const isApiRoute: LabelFilter = (labels) =>
  labels.route !== undefined && isApiRequest({ path: labels.route });
const isAnonymous = (request: RequestRecord) => request.name === ANONYMOUS_REQUEST;

/** 200 and 429 are both correct answers to the anonymous clients; the consumer's answers must be 2xx. */
export const slowRedisSuccess = (request: RequestRecord): boolean =>
  isAnonymous(request) ? request.status === 200 || request.status === 429 : is2xx(request);

/** The host and port of a `redis://` URL (6379 when it names none). */
export function redisAddress(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') {
    // rediss:// through a plain TCP proxy would present the proxy's address to the certificate check.
    throw new TypeError(`slow-redis: REDIS_URL must be a redis:// URL, got ${parsed.protocol}//`);
  }
  return { host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname, port: Number(parsed.port || 6379) };
}

/** The same Redis URL (credentials and database kept), pointed at `host:port` instead. */
export function redisUrlVia(url: string, host: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  parsed.port = String(port);
  return parsed.toString();
}

/** Reads mock-api's log file until it holds at least `apiRequests` `/api` lines (its output is written as it comes). */
async function readMockApiLog(service: RunningService, apiRequests: number): Promise<MockApiLog> {
  let log = parseMockApiLog(await readFile(service.logPath, 'utf8'));
  for (
    let attempt = 0;
    attempt < 20 && log.requests.filter(isApiRequest).length < apiRequests;
    attempt += 1
  ) {
    await delay(250);
    log = parseMockApiLog(await readFile(service.logPath, 'utf8'));
  }
  return log;
}

async function fetchMetrics(service: RunningService): Promise<string> {
  const response = await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}

function proxyCheck(proxy: FaultProxy): CheckResult {
  const stats = proxy.stats();
  return {
    kind: 'verification',
    name: 'Redis traffic went through the fault proxy',
    expected: '>= 1 connection, chunks both ways',
    actual: `${stats.connections} connections, ${stats.chunksUp} chunks up, ${stats.chunksDown} down`,
    passed: stats.connections >= 1 && stats.chunksUp > 0 && stats.chunksDown > 0,
  };
}

/** The rate-limit scenario's header rules, on the anonymous clients' answers only (the consumer sends no RateLimit). */
const anonymousInvariants: Invariant[] = rateLimitInvariants.map((invariant) => ({
  name: `${invariant.name} (${ANONYMOUS_REQUEST})`,
  violates: (request: RequestRecord) => isAnonymous(request) && invariant.violates(request),
}));

export const slowRedis: ScenarioDefinition = {
  name: 'slow-redis',
  title: `The transient-faults load with mock-api on Redis behind 0-${REDIS_JITTER_MS} ms of jitter each way: exactly one order per successful checkout, no request waits on Redis over ${REDIS_WAIT_BOUND_MS} ms, store errors <= ${STORE_ERROR_CEILING * 100} %, ${PER_MINUTE} per client per window still.`,
  scriptPath: scenarioFile('slow-redis'),
  isSuccess: slowRedisSuccess,
  thresholds: [
    { phase: '*', metric: 'successRate', op: '>=', value: 0.995 },
    { phase: '*', metric: 'successRate', op: '>=', value: 0.995, endpoints: ['checkout'] },
    { phase: '*', metric: 'successRate', op: '>=', value: 0.995, endpoints: [ANONYMOUS_REQUEST] },
    { phase: '*', metric: 'p99', op: '<', value: 1000 },
  ],
  invariants: [
    {
      name: 'no 500 from the consumer',
      violates: (request) => !isAnonymous(request) && request.status === 500,
    },
    { name: 'no request without a response', violates: (request) => request.status === null },
    ...anonymousInvariants,
  ],
  async setup(context) {
    if (!(await pingRedis(context.redisUrl))) {
      throw new RedisUnreachableError(context.redisUrl);
    }
    // A prefix of its own per run, as in multi-instance (and apart from its `load-<run id>:`): nothing from another
    // run counts, and the run deletes exactly its own keys afterwards.
    const keyPrefix = `load-${context.runId}-slow-redis:`;
    const proxy = await createFaultProxy({
      target: redisAddress(context.redisUrl),
      faults: { jitterMs: REDIS_JITTER_MS },
    });
    const cleanup = async () => {
      await proxy.close();
      await deleteKeysWithPrefix(context.redisUrl, keyPrefix);
    };
    try {
      const stack = await startConsumerStack(context, {
        mockApiEnv: {
          ...rateLimitedEnv(),
          REDIS_URL: redisUrlVia(context.redisUrl, proxy.host, proxy.port),
          REDIS_KEY_PREFIX: keyPrefix,
          // The default, explicitly: a failing store counts the request in the in-process insurance limiter.
          RATE_LIMIT_ON_STORE_ERROR: 'open',
          REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
        },
      });
      const { mockApi } = stack;
      const faults = createFaultApi(mockApi.url, stack.adminToken);
      await faults.set(TRANSIENT_FAULTS);
      const clientNet = randomClientNet();
      return {
        target: stack.consumer.url,
        variables: { clientCount: CLIENT_COUNT, clientNet, mockApi: mockApi.url },
        notes: [
          ...stack.notes,
          describeEnv(mockApi, [
            'TRUST_PROXY',
            'RATE_LIMIT_PER_MINUTE',
            'REDIS_URL',
            'REDIS_KEY_PREFIX',
            'RATE_LIMIT_ON_STORE_ERROR',
            'REDIS_COMMAND_TIMEOUT_MS',
          ]),
          `Redis ${context.redisUrl} behind a fault proxy at ${proxy.host}:${proxy.port} for the whole run (warm-up included): jitterMs ${REDIS_JITTER_MS} (each chunk, each way, 0-${REDIS_JITTER_MS} ms, order kept)`,
          `faults for the whole run: ${JSON.stringify(TRANSIENT_FAULTS)}`,
          `${CLIENT_COUNT} anonymous clients: one GET ${mockApi.url}/api/orders?limit=1 per loop with X-Forwarded-For ${clientNet}.1 to ${clientNet}.${CLIENT_COUNT} (a route without faults)`,
        ],
        cleanup,
        verify: async (outcome) => {
          await faults.clear();
          const results: CheckResult[] = [proxyCheck(proxy)];

          // (b) and (c): mock-api's own view, before any request of the verification adds to it.
          const samples = parsePrometheusText(await fetchMetrics(mockApi));
          const apiRequests = sumSamples(samples, 'http_requests_total', isApiRoute);
          const le = firstBucketBound(
            samples,
            DURATION_HISTOGRAM,
            (REDIS_WAIT_BOUND_MS + INJECTED_LATENCY_MS) / 1000,
          );
          if (le === undefined) throw new Error(`${DURATION_HISTOGRAM} has no bucket above the bound`);
          const tail = histogramTail(samples, DURATION_HISTOGRAM, le, isApiRoute);
          const log = await readMockApiLog(mockApi, tail.count);
          results.push(verifyRedisWaitBound(log.requests, REDIS_WAIT_BOUND_MS));
          results.push(...verifyHistogramTail(tail, log.requests.filter(isApiRequest).length));
          const rateLimitStoreErrors = sumSamples(samples, 'rate_limit_store_errors_total');
          const storeErrors = rateLimitStoreErrors + log.orderStoreFailures;
          results.push(
            verifyStoreErrors(
              {
                rateLimitStoreErrors,
                insured: sumSamples(samples, 'rate_limit_insurance_total'),
                orderStoreFailures: log.orderStoreFailures,
                apiRequests,
              },
              STORE_ERROR_CEILING,
            ),
          );

          // (a) exactly one order per successful checkout, read back from Redis through mock-api.
          // Reading them needs Redis too: a failure is this check's, and the checks above stay in the report.
          results.push(
            ...(await verifyLoadOrders(mockApi, outcome).catch((error: unknown): CheckResult[] => [
              {
                kind: 'verification',
                name: 'orders: read back through mock-api',
                expected: 'GET /api/orders answered',
                actual: describeError(error),
                passed: false,
              },
            ])),
          );

          // (d) the per-client limit, from the anonymous clients' answers. A store command that timed out may
          // still have run in Redis, and the insurance limiter counted it too: with store errors a client can get
          // fewer 200s than the limit, never more.
          results.push(
            ...verifyWindows(
              accountWindows(outcome.log.requests.filter(isAnonymous), MINUTE_POLICY),
              PER_MINUTE,
              {
                minClients: CLIENT_COUNT,
                label: `rate limit through slow Redis${storeErrors === 0 ? '' : ` (${storeErrors} store errors: at most)`}`,
                mode: storeErrors === 0 ? 'exact' : 'at-most',
              },
            ),
          );
          results.push(concurrencyCheck(outcome, 'steady', 45, 50));
          return results;
        },
      };
    } catch (error) {
      // The runner only cleans up after a setup that returned: close the proxy (it would keep this process
      // alive) and delete the keys here. The setup's error is what the report shows.
      await cleanup().catch(() => undefined);
      throw error;
    }
  },
};
