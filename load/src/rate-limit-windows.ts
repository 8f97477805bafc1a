import type { CheckResult } from './checks.js';
import type { RequestRecord } from './request-log.js';

/** One entry of an IETF draft-8 `RateLimit` header: `"name"; r=<remaining>; t=<seconds to reset>`. */
export interface RateLimitEntry {
  readonly policy: string;
  readonly remaining: number;
  readonly resetSeconds: number;
}

const ENTRY = /"([^"]+)"\s*;\s*r=(\d+)\s*;\s*t=(\d+)/g;

export function parseRateLimitHeader(value: string | undefined): RateLimitEntry[] {
  if (value === undefined) return [];
  return [...value.matchAll(ENTRY)].map((match) => ({
    policy: match[1] ?? '',
    remaining: Number(match[2]),
    resetSeconds: Number(match[3]),
  }));
}

/** The 200s and 429s one client got in one window of the limiter. */
export interface ClientWindow {
  readonly client: string;
  /** Estimated end of the window, epoch ms (response time + `t`). */
  readonly resetAt: number;
  readonly allowed: number;
  readonly limited: number;
}

export interface WindowAccounting {
  readonly windows: readonly ClientWindow[];
  /** 200/429 responses without a usable entry for the policy. */
  readonly unassigned: number;
}

/**
 * Groups each client's 200 and 429 responses into the limiter's windows. The window a response belongs to is
 * identified by when it resets (the response time plus the policy's `t`, which the server rounds up to whole
 * seconds); responses whose reset estimates lie within `toleranceMs` of a window's first one share it.
 */
export function accountWindows(
  requests: readonly RequestRecord[],
  policyName: string,
  toleranceMs = 3_000,
): WindowAccounting {
  const perClient = new Map<string, { resetAt: number; status: number }[]>();
  let unassigned = 0;
  for (const request of requests) {
    if (request.status !== 200 && request.status !== 429) continue;
    const entry = parseRateLimitHeader(request.rateLimit).find(
      (candidate) => candidate.policy === policyName,
    );
    if (entry === undefined || request.client === undefined) {
      unassigned += 1;
      continue;
    }
    const answeredAt = request.t + (request.ms ?? 0);
    const list = perClient.get(request.client) ?? [];
    list.push({ resetAt: answeredAt + entry.resetSeconds * 1000, status: request.status });
    perClient.set(request.client, list);
  }
  const windows: ClientWindow[] = [];
  for (const [client, list] of [...perClient.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.resetAt - b.resetAt);
    let current: { resetAt: number; allowed: number; limited: number } | undefined;
    for (const item of list) {
      if (current === undefined || item.resetAt - current.resetAt > toleranceMs) {
        if (current !== undefined) windows.push({ client, ...current });
        current = { resetAt: item.resetAt, allowed: 0, limited: 0 };
      }
      if (item.status === 200) current.allowed += 1;
      else current.limited += 1;
    }
    if (current !== undefined) windows.push({ client, ...current });
  }
  return { windows, unassigned };
}

export interface VerifyWindowsOptions {
  readonly minClients: number;
  readonly label: string;
  /**
   * `exact`: each window holds exactly `min(limit, requests)` 200s. `at-most`: no window holds more than `limit`
   * (for runs with store errors, where a command that timed out but ran is counted twice and a client may get
   * fewer, never more). @default 'exact'
   */
  readonly mode?: 'exact' | 'at-most';
}

/**
 * Verifies that every client got exactly `limit` 200s in each window (or all its requests, in a window
 * where it sent fewer than `limit`; with `mode: 'at-most'`, no more than `limit`), and that no 200/429 response
 * lacked the policy's header.
 */
export function verifyWindows(
  accounting: WindowAccounting,
  limit: number,
  options: VerifyWindowsOptions,
): CheckResult[] {
  const exact = (options.mode ?? 'exact') === 'exact';
  const results: CheckResult[] = [];
  const clients = new Set(accounting.windows.map((window) => window.client));
  results.push({
    kind: 'verification',
    name: `${options.label}: clients seen`,
    expected: `>= ${options.minClients}`,
    actual: String(clients.size),
    passed: clients.size >= options.minClients,
  });
  const wrong = accounting.windows.filter((window) =>
    exact ? window.allowed !== Math.min(limit, window.allowed + window.limited) : window.allowed > limit,
  );
  const summary = accounting.windows
    .map(
      (window) => `${window.client.split('.').at(-1)}:${window.allowed}/${window.allowed + window.limited}`,
    )
    .join(' ');
  results.push({
    kind: 'verification',
    name: `${options.label}: 200s per client per window`,
    expected: `${exact ? `= min(${limit}, requests)` : `<= ${limit}`} in each of ${accounting.windows.length} windows`,
    actual:
      wrong.length === 0
        ? `all windows ${exact ? 'exact' : `within ${limit}`} (client:200s/requests ${summary})`
        : `${wrong.length} wrong: ${wrong.map((w) => `${w.client} ${w.allowed} of ${w.allowed + w.limited}`).join(', ')}`,
    passed: wrong.length === 0 && accounting.windows.length > 0,
  });
  const full = accounting.windows.filter((window) => window.allowed + window.limited > limit);
  results.push({
    kind: 'verification',
    name: `${options.label}: windows where the limit was reached`,
    expected: '>= 1 (the limit was exercised)',
    actual: String(full.length),
    passed: full.length >= 1,
  });
  results.push({
    kind: 'verification',
    name: `${options.label}: responses with a RateLimit entry`,
    expected: '0 without',
    actual: `${accounting.unassigned} without`,
    passed: accounting.unassigned === 0,
  });
  return results;
}
