import { randomInt } from 'node:crypto';
import { accountWindows, verifyWindows } from '../rate-limit-windows.js';
import type { RequestRecord } from '../request-log.js';
import type { ScenarioDefinition } from '../scenario-definition.js';
import { scenarioFile } from './consumer-scenario.js';
import { describeEnv, startMockApi } from './services.js';

/** mock-api's default per-client limit per minute (set explicitly so the check and the service agree). */
export const PER_MINUTE = 10;
export const PER_HOUR = 100;
/** Client identities the virtual users take turns with. */
export const CLIENT_COUNT = 5;
/** Name of the per-minute policy in mock-api's draft-8 `RateLimit` header. */
export const MINUTE_POLICY = 'per-minute';

/** Environment of a mock-api instance that limits anonymous clients and trusts X-Forwarded-For from loopback. */
export function rateLimitedEnv(): Record<string, string> {
  return {
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
    RATE_LIMIT_PER_HOUR: String(PER_HOUR),
  };
}

/** A /24-like prefix (`10.a.b`) drawn per run, so runs never share a client identity (or a Redis key). */
export function randomClientNet(): string {
  return `10.${randomInt(0, 256)}.${randomInt(0, 256)}`;
}

/** 429s are answered with Retry-After and RateLimit; 200s carry RateLimit too. */
export const rateLimitInvariants = [
  {
    name: 'every 429 carries Retry-After and RateLimit',
    violates: (request: RequestRecord) =>
      request.status === 429 && (!request.retryAfter || !request.rateLimit),
  },
  {
    name: 'every 200 carries RateLimit',
    violates: (request: RequestRecord) => request.status === 200 && !request.rateLimit,
  },
] as const;

/** 200 and 429 are both correct answers here; anything else is a failure. */
export const isAnswered = (request: RequestRecord) => request.status === 200 || request.status === 429;

export const rateLimit: ScenarioDefinition = {
  name: 'rate-limit',
  title: `Clients without an API key call mock-api directly: exactly ${PER_MINUTE} 200s per client per window, the rest 429 with Retry-After and RateLimit, fast.`,
  scriptPath: scenarioFile('rate-limit'),
  isSuccess: isAnswered,
  thresholds: [
    { phase: '*', metric: 'p95', op: '<', value: 20, statuses: [429] },
    { phase: '*', metric: 'successRate', op: '==', value: 1 },
  ],
  invariants: [...rateLimitInvariants],
  // Nearly every request is refused here (10 of each client's ~180 a minute pass), far above the rule's 10 %.
  alerts: [{ type: 'fires', alert: 'RateLimitRejectionsHigh' }],
  async setup(context) {
    const { service } = await startMockApi(context, { env: rateLimitedEnv() });
    const clientNet = randomClientNet();
    return {
      target: service.url,
      variables: { clientCount: CLIENT_COUNT, clientNet },
      notes: [
        describeEnv(service, ['TRUST_PROXY', 'RATE_LIMIT_PER_MINUTE', 'RATE_LIMIT_PER_HOUR']),
        `${CLIENT_COUNT} clients: X-Forwarded-For ${clientNet}.1 to ${clientNet}.${CLIENT_COUNT}`,
      ],
      verify: async (outcome) =>
        verifyWindows(accountWindows(outcome.log.requests, MINUTE_POLICY), PER_MINUTE, {
          minClients: CLIENT_COUNT,
          label: 'rate limit',
        }),
    };
  },
};
