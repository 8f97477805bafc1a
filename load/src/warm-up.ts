/** One request of a warm-up round. */
export interface WarmUpRequest {
  readonly method: 'GET' | 'POST';
  /** Path, or a function of the round number (e.g. to walk item ids). */
  readonly path: string | ((round: number) => string);
  readonly body?: unknown;
  /** Extra headers, or a function of the round number. */
  readonly headers?: Readonly<Record<string, string>> | ((round: number) => Readonly<Record<string, string>>);
}

export interface WarmUpOptions {
  /** Rounds run in parallel. @default 8 */
  readonly concurrency?: number;
  /** Rounds in total. @default 200 */
  readonly rounds?: number;
}

export const WARM_UP_DEFAULTS = { concurrency: 8, rounds: 200 } as const;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`warmUp: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export interface WarmUpResult {
  readonly requests: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

/**
 * Sends `rounds` rounds of `sequence` to `baseUrl`, `concurrency` at a time, before the measured load: freshly
 * started services are still compiling their hot paths and filling connection pools, and the thresholds are
 * about a service in steady state, not about its first second.
 */
export async function warmUp(
  baseUrl: string,
  sequence: readonly WarmUpRequest[],
  options: WarmUpOptions = {},
): Promise<WarmUpResult> {
  const concurrency = positiveInteger('concurrency', options.concurrency ?? WARM_UP_DEFAULTS.concurrency);
  const rounds = positiveInteger('rounds', options.rounds ?? WARM_UP_DEFAULTS.rounds);
  const statusCounts: Record<string, number> = {};
  const started = Date.now();
  let next = 0;
  let requests = 0;

  async function worker(): Promise<void> {
    while (next < rounds) {
      const round = next;
      next += 1;
      for (const step of sequence) {
        const path = typeof step.path === 'function' ? step.path(round) : step.path;
        const extraHeaders = typeof step.headers === 'function' ? step.headers(round) : step.headers;
        const response = await fetch(`${baseUrl}${path}`, {
          method: step.method,
          headers: {
            ...(step.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...extraHeaders,
          },
          ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        requests += 1;
        const status = String(response.status);
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, rounds) }, () => worker()));
  return { requests, statusCounts, durationMs: Date.now() - started };
}

/** `600 requests in 2.1 s (200: 400, 201: 200)` */
export function describeWarmUp(result: WarmUpResult): string {
  const statuses = Object.entries(result.statusCounts)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  return `${result.requests} requests in ${(result.durationMs / 1000).toFixed(1)} s (${statuses})`;
}
