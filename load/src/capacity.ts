import { request } from 'node:http';

/** One request of the capacity probe. */
export interface ProbeRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
}

export interface CapacityOptions {
  /** Requests in flight at once (a closed loop: each worker sends its next request when one is answered). */
  readonly concurrency: number;
  readonly durationMs: number;
  /** The request of sequence number `n`. */
  readonly next: (n: number) => ProbeRequest;
}

export interface CapacityResult {
  /** 2xx answers per second over the probe. */
  readonly okPerSecond: number;
  readonly requests: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

/** One request on a new connection (as each Artillery user opens its own), resolving to the status or 0. */
function send(baseUrl: string, probe: ProbeRequest): Promise<number> {
  return new Promise((resolve) => {
    const body = probe.body === undefined ? undefined : JSON.stringify(probe.body);
    const req = request(
      `${baseUrl}${probe.path}`,
      {
        method: probe.method,
        agent: false,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * Measures what a service answers per second when it is kept busy: `concurrency` workers in a closed loop for
 * `durationMs`, counting 2xx answers. This is the capacity the overload scenario scales its arrivals to.
 */
export async function measureCapacity(baseUrl: string, options: CapacityOptions): Promise<CapacityResult> {
  const statusCounts: Record<string, number> = {};
  let sequence = 0;
  let ok = 0;
  const started = performance.now();
  const until = started + options.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const status = await send(baseUrl, options.next(sequence++));
      statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
      if (status >= 200 && status < 300) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const durationMs = performance.now() - started;
  return { okPerSecond: (ok * 1000) / durationMs, requests: sequence, statusCounts, durationMs };
}
