/**
 * Artillery processor: writes one JSON line per request, per request error and per virtual-user start and
 * end to `$LOAD_REQUEST_LOG.<thread>.jsonl`. The runner reads these lines after the run to compute per-phase
 * statistics, the time series behind the chart, and the scenario checks that Artillery's aggregate metrics
 * cannot express (headers on each response, rate-limit windows, the orders a checkout created).
 *
 * Artillery loads it with `import()` (the `.mjs` extension matters: a `.js` file would be `require()`d).
 * Writes are synchronous so nothing is lost when Artillery ends its worker threads.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

type Done = (error?: Error) => void;

interface Headers {
  readonly [name: string]: string | string[] | undefined;
}

interface ArtilleryRequest {
  readonly name?: string;
  readonly url?: string;
  readonly method?: string;
  headers?: Record<string, string>;
}

interface ArtilleryResponse {
  readonly statusCode: number;
  readonly headers: Headers;
  readonly body?: unknown;
  readonly timings?: { readonly start?: number; readonly phases?: { readonly firstByte?: number } };
}

interface ArtilleryContext {
  readonly vars: Record<string, unknown>;
}

let descriptor: number | undefined;
let sessionCounter = 0;
let clientCounter = 0;

function write(record: Record<string, unknown>): void {
  if (descriptor === undefined) {
    const prefix = process.env.LOAD_REQUEST_LOG;
    if (prefix === undefined || prefix === '') return;
    descriptor = openSync(`${prefix}.${process.pid}-${threadId}.jsonl`, 'a');
    process.once('exit', () => {
      if (descriptor !== undefined) closeSync(descriptor);
    });
  }
  writeSync(descriptor, `${JSON.stringify(record)}\n`);
}

function header(headers: Headers | Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

function origin(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function orderIdOf(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const nested = record.order;
  const candidate =
    record.orderId ??
    record.id ??
    (typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>).id : undefined);
  return typeof candidate === 'string' || typeof candidate === 'number' ? String(candidate) : undefined;
}

function sessionId(context: ArtilleryContext): string {
  const existing = context.vars.loadSessionId;
  if (typeof existing === 'string') return existing;
  sessionCounter += 1;
  const created = `${process.pid}-${threadId}-${sessionCounter}`;
  context.vars.loadSessionId = created;
  return created;
}

/** `beforeScenario`: records the start of a virtual user. */
export function sessionStart(context: ArtilleryContext, _events: unknown, done: Done): void {
  write({ type: 'session', event: 'start', t: Date.now(), vu: sessionId(context) });
  done();
}

/** `afterScenario`: records the end of a virtual user that finished its flow. */
export function sessionEnd(context: ArtilleryContext, _events: unknown, done: Done): void {
  write({ type: 'session', event: 'end', t: Date.now(), vu: sessionId(context) });
  done();
}

/**
 * `beforeScenario`: gives the virtual user one of `clientCount` client identities, round robin, as
 * `{{ clientIp }}` (`<clientNet>.<n>`), to send as `X-Forwarded-For`.
 */
export function pickClient(context: ArtilleryContext, _events: unknown, done: Done): void {
  const count = Number(context.vars.clientCount ?? 1);
  const net = String(context.vars.clientNet ?? '10.0.0');
  clientCounter += 1;
  context.vars.clientIp = `${net}.${(clientCounter % count) + 1}`;
  done();
}

/** Scenario-level `beforeRequest`: remembers when the virtual user's current request started. */
export function stampRequest(
  _request: ArtilleryRequest,
  context: ArtilleryContext,
  _events: unknown,
  done: Done,
): void {
  context.vars.loadRequestStart = Date.now();
  done();
}

/** `beforeRequest`: a fresh `Idempotency-Key` for this request. */
export function newIdempotencyKey(
  request: ArtilleryRequest,
  _context: unknown,
  _events: unknown,
  done: Done,
): void {
  request.headers = { ...request.headers, 'Idempotency-Key': randomUUID() };
  done();
}

/** `afterResponse`: one line per response. */
export function logResponse(
  request: ArtilleryRequest,
  response: ArtilleryResponse,
  context: ArtilleryContext,
  _events: unknown,
  done: Done,
): void {
  const firstByte = response.timings?.phases?.firstByte;
  const method = (request.method ?? 'GET').toUpperCase();
  const ok = response.statusCode >= 200 && response.statusCode < 300;
  write({
    type: 'request',
    t: response.timings?.start ?? Date.now(),
    ms: typeof firstByte === 'number' ? firstByte : null,
    name: request.name ?? method,
    method,
    origin: origin(request.url),
    status: response.statusCode,
    vu: sessionId(context),
    client: header(request.headers, 'x-forwarded-for'),
    idempotencyKey: header(request.headers, 'idempotency-key'),
    xCache: header(response.headers, 'x-cache'),
    retryAfter: header(response.headers, 'retry-after'),
    rateLimit: header(response.headers, 'ratelimit'),
    orderId: ok && method === 'POST' ? orderIdOf(response.body) : undefined,
  });
  done();
}

/** `onError`: one line per request that got no response (timeout, reset, refused). Ends the session. */
export function logError(
  error: Error & { code?: string },
  request: ArtilleryRequest,
  context: ArtilleryContext,
  _events: unknown,
  done: Done,
): void {
  const now = Date.now();
  const started = typeof context.vars.loadRequestStart === 'number' ? context.vars.loadRequestStart : now;
  write({
    type: 'request',
    t: started,
    ms: null,
    elapsedMs: now - started,
    name: request.name ?? (request.method ?? 'GET').toUpperCase(),
    method: (request.method ?? 'GET').toUpperCase(),
    origin: origin(request.url),
    status: null,
    error: error.code ?? error.name,
    vu: sessionId(context),
    client: header(request.headers, 'x-forwarded-for'),
    idempotencyKey: header(request.headers, 'idempotency-key'),
  });
  write({ type: 'session', event: 'end', t: now, vu: sessionId(context) });
  done();
}
