import { AsyncLocalStorage } from 'node:async_hooks';
import { activeSpanContext } from './opentelemetry.js';
import { isValidRequestId } from './request-id.js';
import { isValidSpanId, isValidTraceFlags, isValidTraceId, isValidTracestate } from './traceparent.js';

/** The W3C trace context of a request: the trace it belongs to and the span it is in this service. */
export interface TraceContext {
  /** 32 lowercase hex characters: the inbound `traceparent`'s, or a new trace's. */
  readonly traceId: string;
  /** 16 lowercase hex characters: this request's own span (never the caller's parent id). */
  readonly spanId: string;
  /** The 8-bit trace flags (bit 0 = sampled). */
  readonly traceFlags: number;
  /** The inbound `tracestate`, unchanged, when it came with a valid `traceparent`. */
  readonly tracestate?: string | undefined;
}

/** Where `getTraceContext()` found the context. */
export type TraceContextSource = 'request' | 'opentelemetry';

/** What `getTraceContext()` returns: a trace context and where it comes from. */
export interface CurrentTraceContext extends TraceContext {
  readonly tracestate: string | undefined;
  /**
   * `'opentelemetry'`: the active OpenTelemetry span (when `@opentelemetry/api` is installed and a span is
   * active); `'request'`: the request context (`httpLogger`, `runWithRequestContext`).
   */
  readonly source: TraceContextSource;
}

/** One store per request: its id and, from `httpLogger` or when given, its trace context. */
interface RequestContext {
  readonly requestId: string;
  readonly trace: CurrentTraceContext | undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

function validateTrace(trace: TraceContext): void {
  if (typeof trace !== 'object' || trace === null) {
    throw new TypeError('runWithRequestContext: trace must be an object');
  }
  if (!isValidTraceId(trace.traceId)) {
    throw new TypeError(
      'runWithRequestContext: trace.traceId must be 32 lowercase hex characters, not all zero',
    );
  }
  if (!isValidSpanId(trace.spanId)) {
    throw new TypeError(
      'runWithRequestContext: trace.spanId must be 16 lowercase hex characters, not all zero',
    );
  }
  if (!isValidTraceFlags(trace.traceFlags)) {
    throw new TypeError('runWithRequestContext: trace.traceFlags must be an integer from 0 to 255');
  }
  if (trace.tracestate !== undefined && !isValidTracestate(trace.tracestate)) {
    throw new TypeError(
      'runWithRequestContext: trace.tracestate must be a valid tracestate of at most 512 characters',
    );
  }
}

/** The stored form of a trace context (a copy: the caller's object may change afterwards). */
function requestTrace(trace: TraceContext): CurrentTraceContext {
  return {
    traceId: trace.traceId,
    spanId: trace.spanId,
    traceFlags: trace.traceFlags,
    tracestate: trace.tracestate,
    source: 'request',
  };
}

/**
 * Runs `fn` inside a request context: until `fn` and everything it starts (awaits, promise
 * chains, timers, I/O callbacks) finish, `getRequestId()` returns
 * `requestId` and every logger from `createLogger` adds `requestId` to its lines; with `trace`, also
 * `getTraceContext()` returns it and lines carry its `trace_id` and `span_id`.
 * Returns what `fn` returns. Throws a TypeError if `requestId` is not a valid request id or `trace` is not valid.
 */
export function runWithRequestContext<T>(requestId: string, fn: () => T, trace?: TraceContext): T {
  if (!isValidRequestId(requestId)) {
    throw new TypeError('runWithRequestContext: requestId must be 1-128 characters of [A-Za-z0-9._:-]');
  }
  if (typeof fn !== 'function') {
    throw new TypeError('runWithRequestContext: fn must be a function');
  }
  if (trace !== undefined) validateTrace(trace);
  return storage.run({ requestId, trace: trace === undefined ? undefined : requestTrace(trace) }, fn);
}

/** `runWithRequestContext` for an id and a trace the caller has already validated (the middleware's hot path). */
export function enterRequestContext(requestId: string, trace: CurrentTraceContext, fn: () => void): void {
  storage.run({ requestId, trace }, fn);
}

/** The id of the request being handled, or `undefined` outside any request context. */
export function getRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * The current trace context: the active OpenTelemetry span's when `@opentelemetry/api` is installed and a span
 * is active, otherwise the request context's (from `httpLogger` or `runWithRequestContext(id, fn, trace)`),
 * otherwise `undefined`.
 */
export function getTraceContext(): CurrentTraceContext | undefined {
  return activeSpanContext() ?? storage.getStore()?.trace;
}
