/** One request mock-api answered (or whose client went away), from its `request completed` / `aborted` line. */
export interface ServedRequest {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** From the request's arrival to its response's end (or to the client's leaving), as mock-api measured it. */
  readonly responseTimeMs: number;
  /** The client closed the connection before the answer was sent: the time is when it left, not when mock-api finished. */
  readonly aborted: boolean;
  /** Delay added on purpose by a `latency` fault (0 when none). */
  readonly injectedLatencyMs: number;
}

export interface MockApiLog {
  /** In the order of their lines. */
  readonly requests: readonly ServedRequest[];
  /** `order store failed` and `store unavailable` lines: an order-store command that failed or timed out. */
  readonly orderStoreFailures: number;
  /** `rate-limit store failed; ...` lines. */
  readonly rateLimitStoreFailures: number;
  /** Lines that are not JSON objects (a torn last line, for example). */
  readonly skippedLines: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads mock-api's JSON log (pino lines as its service log file holds them) into the requests it served, with the
 * latency a `fault injected` line added to each. A retry reuses its request id (the consumer sends the same
 * `X-Request-ID` on every attempt, one after the other), so a latency fault is given to the next completion line
 * with its request id, not to every line with it.
 */
export function parseMockApiLog(text: string): MockApiLog {
  const requests: ServedRequest[] = [];
  const pendingLatency = new Map<string, number>();
  let orderStoreFailures = 0;
  let rateLimitStoreFailures = 0;
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skippedLines += 1;
      continue;
    }
    if (!isRecord(value)) {
      skippedLines += 1;
      continue;
    }
    const msg = typeof value.msg === 'string' ? value.msg : '';
    const requestId = typeof value.requestId === 'string' ? value.requestId : undefined;
    if (msg === 'fault injected' && value.fault === 'latency' && requestId !== undefined) {
      const latency = typeof value.latencyMs === 'number' ? value.latencyMs : 0;
      pendingLatency.set(requestId, (pendingLatency.get(requestId) ?? 0) + latency);
    } else if (
      (msg === 'request completed' || msg === 'request aborted') &&
      requestId !== undefined &&
      typeof value.responseTimeMs === 'number' &&
      typeof value.status === 'number'
    ) {
      requests.push({
        requestId,
        method: typeof value.method === 'string' ? value.method : '',
        path: typeof value.path === 'string' ? value.path : '',
        status: value.status,
        responseTimeMs: value.responseTimeMs,
        aborted: value.aborted === true || msg === 'request aborted',
        injectedLatencyMs: pendingLatency.get(requestId) ?? 0,
      });
      pendingLatency.delete(requestId);
    } else if (msg === 'order store failed' || msg === 'store unavailable') {
      orderStoreFailures += 1;
    } else if (msg.startsWith('rate-limit store failed')) {
      rateLimitStoreFailures += 1;
    }
  }
  return { requests, orderStoreFailures, rateLimitStoreFailures, skippedLines };
}

/** `/api` requests: the ones that go through rate limiting and the stores (not `/healthz`, `/metrics`, `/__admin`). */
export function isApiRequest(request: Pick<ServedRequest, 'path'>): boolean {
  return request.path === '/api' || request.path.startsWith('/api/');
}
