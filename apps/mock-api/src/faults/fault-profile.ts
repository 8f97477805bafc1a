import { describeInvalidRoute } from './route-filter.js';

/** Kinds of injected faults, as they appear in logs and in `faults_injected_total{kind}`. */
export const FAULT_KINDS = ['error', 'fail_next', 'down', 'latency', 'hang', 'reset'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const ERROR_STATUSES = [500, 502, 503, 504] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

/** A fault profile, fully resolved: every field has its value. */
export interface FaultProfile {
  /** Share of matching requests answered with `errorStatus`. @default 0 */
  readonly errorRate: number;
  /** Status of `errorRate` and `failNext` failures. @default 503 */
  readonly errorStatus: ErrorStatus;
  /** Added latency range in ms (`latencyMs: 200` = `{ min: 200, max: 200 }`); `undefined` = none. */
  readonly latencyMs: { readonly min: number; readonly max: number } | undefined;
  /** Share of matching requests that get the latency. @default 1 when latencyMs is set */
  readonly latencyRate: number;
  /** Share of matching requests held without an answer (until the server's request timeout). @default 0 */
  readonly hangRate: number;
  /** Share of matching requests whose connection is destroyed. @default 0 */
  readonly resetRate: number;
  /** Every matching request gets 503 before its handler runs. @default false */
  readonly down: boolean;
  /** The next N matching requests fail with `errorStatus`; counts down. @default 0 */
  readonly failNext: number;
  /** Whether error, failNext, reset and hang act before the handler runs or after it (its effects kept). @default 'before' */
  readonly when: 'before' | 'after';
  /** Route filter entries (see `createRouteFilter`); `undefined` = every `/api` request. */
  readonly routes: readonly string[] | undefined;
  /** Seed for a reproducible random sequence; `undefined` = the injected random source. */
  readonly seed: number | undefined;
}

export const FAULT_PROFILE_DEFAULTS = {
  errorRate: 0,
  errorStatus: 503,
  hangRate: 0,
  resetRate: 0,
  down: false,
  failNext: 0,
  when: 'before',
} as const;

const MAX_LATENCY_MS = 60_000;
const MAX_FAIL_NEXT = 1_000_000;
const MAX_ROUTES = 20;
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'errorRate',
  'errorStatus',
  'latencyMs',
  'latencyRate',
  'hangRate',
  'resetRate',
  'down',
  'failNext',
  'when',
  'routes',
  'seed',
]);

/** The result of `parseFaultProfile`: the profile, or every reason it was refused. */
export type FaultProfileParseResult =
  | { readonly ok: true; readonly profile: FaultProfile }
  | { readonly ok: false; readonly problems: readonly string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rate(input: Record<string, unknown>, name: string, problems: string[]): number | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    problems.push(`${name} must be a number from 0 to 1`);
    return undefined;
  }
  return value;
}

function integerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function latency(input: Record<string, unknown>, problems: string[]): FaultProfile['latencyMs'] {
  const value = input.latencyMs;
  if (value === undefined) return undefined;
  const accepted = `latencyMs must be an integer 0-${MAX_LATENCY_MS} or { "min": a, "max": b } with 0 <= a <= b <= ${MAX_LATENCY_MS}`;
  if (integerIn(value, 0, MAX_LATENCY_MS)) return { min: value, max: value };
  if (isRecord(value)) {
    const { min, max, ...rest } = value;
    if (
      Object.keys(rest).length === 0 &&
      integerIn(min, 0, MAX_LATENCY_MS) &&
      integerIn(max, 0, MAX_LATENCY_MS) &&
      min <= max
    ) {
      return { min, max };
    }
  }
  problems.push(accepted);
  return undefined;
}

/**
 * Validates a fault profile as sent to `PUT /__admin/faults` and fills in defaults. Unknown fields are
 * refused (a typo must not silently inject nothing). Never mutates `input`.
 */
export function parseFaultProfile(input: unknown): FaultProfileParseResult {
  if (!isRecord(input)) return { ok: false, problems: ['the profile must be a JSON object'] };
  const problems: string[] = [];
  for (const field of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(field)) problems.push(`unknown field "${field}"`);
  }
  const errorRate = rate(input, 'errorRate', problems);
  const latencyRate = rate(input, 'latencyRate', problems);
  const hangRate = rate(input, 'hangRate', problems);
  const resetRate = rate(input, 'resetRate', problems);
  const latencyMs = latency(input, problems);

  const { errorStatus, down, failNext, when, routes, seed } = input;
  if (errorStatus !== undefined && !ERROR_STATUSES.some((status) => status === errorStatus)) {
    problems.push(`errorStatus must be one of ${ERROR_STATUSES.join(', ')}`);
  }
  if (down !== undefined && typeof down !== 'boolean') problems.push('down must be true or false');
  if (failNext !== undefined && !integerIn(failNext, 0, MAX_FAIL_NEXT)) {
    problems.push(`failNext must be an integer 0-${MAX_FAIL_NEXT}`);
  }
  if (when !== undefined && when !== 'before' && when !== 'after')
    problems.push('when must be "before" or "after"');
  if (routes !== undefined) {
    if (!Array.isArray(routes) || routes.length === 0 || routes.length > MAX_ROUTES) {
      problems.push(`routes must be a list of 1-${MAX_ROUTES} entries`);
    } else {
      for (const entry of routes) {
        const problem = describeInvalidRoute(entry);
        if (problem !== undefined) problems.push(problem);
      }
    }
  }
  if (seed !== undefined && !integerIn(seed, 0, 2 ** 32 - 1))
    problems.push('seed must be an integer 0-4294967295');
  if (
    latencyRate !== undefined &&
    latencyMs === undefined &&
    !problems.some((p) => p.startsWith('latencyMs'))
  ) {
    problems.push('latencyRate needs latencyMs');
  }
  if (problems.length > 0) return { ok: false, problems };

  return {
    ok: true,
    profile: Object.freeze({
      errorRate: errorRate ?? FAULT_PROFILE_DEFAULTS.errorRate,
      errorStatus: (errorStatus as ErrorStatus | undefined) ?? FAULT_PROFILE_DEFAULTS.errorStatus,
      latencyMs: latencyMs === undefined ? undefined : Object.freeze(latencyMs),
      latencyRate: latencyRate ?? (latencyMs === undefined ? 0 : 1),
      hangRate: hangRate ?? FAULT_PROFILE_DEFAULTS.hangRate,
      resetRate: resetRate ?? FAULT_PROFILE_DEFAULTS.resetRate,
      down: (down as boolean | undefined) ?? FAULT_PROFILE_DEFAULTS.down,
      failNext: (failNext as number | undefined) ?? FAULT_PROFILE_DEFAULTS.failNext,
      when: (when as 'before' | 'after' | undefined) ?? FAULT_PROFILE_DEFAULTS.when,
      routes: Array.isArray(routes) ? Object.freeze(routes.map(String)) : undefined,
      seed: seed as number | undefined,
    }),
  };
}

/** The profile as JSON for `GET /__admin/faults`: the same shape `PUT` accepts. */
export function describeFaultProfile(
  profile: FaultProfile,
  failNextRemaining: number,
): Record<string, unknown> {
  const latencyMs =
    profile.latencyMs === undefined
      ? undefined
      : profile.latencyMs.min === profile.latencyMs.max
        ? profile.latencyMs.min
        : { ...profile.latencyMs };
  return {
    errorRate: profile.errorRate,
    errorStatus: profile.errorStatus,
    ...(latencyMs === undefined ? {} : { latencyMs, latencyRate: profile.latencyRate }),
    hangRate: profile.hangRate,
    resetRate: profile.resetRate,
    down: profile.down,
    failNext: failNextRemaining,
    when: profile.when,
    ...(profile.routes === undefined ? {} : { routes: [...profile.routes] }),
    ...(profile.seed === undefined ? {} : { seed: profile.seed }),
  };
}
