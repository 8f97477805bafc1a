import {
  formatTraceparent,
  generateSpanId,
  generateTraceId,
  getTraceContext,
  NEW_TRACE_FLAGS,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
} from '@resilience/logging';
import { headerValue } from './outbound-headers.js';

/**
 * The W3C trace headers of one logical call (a class: no closure to allocate per call). Every attempt belongs to
 * the same trace and is a child span of the caller's span: it gets a parent id of its own, except under an active
 * OpenTelemetry span, whose id is the parent of every attempt (the client records no spans, and an id no tracer
 * ever exports would leave the upstream's spans pointing at a parent that does not exist).
 */
export class CallTraceHeaders {
  constructor(
    private readonly traceId: string,
    private readonly traceFlags: number,
    /** Sent on every attempt; `undefined`: none (or the caller's own header is kept). */
    private readonly tracestate: string | undefined,
    /** The parent id of every attempt; `undefined`: a new one per attempt. */
    private readonly parentId: string | undefined,
  ) {}

  /** Sets `traceparent` (and `tracestate`) of the next attempt on `headers`. */
  stamp(headers: Record<string, unknown>): void {
    headers[TRACEPARENT_HEADER] = formatTraceparent({
      traceId: this.traceId,
      parentId: this.parentId ?? generateSpanId(),
      traceFlags: this.traceFlags,
    });
    if (this.tracestate !== undefined) headers[TRACESTATE_HEADER] = this.tracestate;
  }
}

/**
 * The trace headers of a call about to start, from the current trace context (`getTraceContext()`: the active
 * OpenTelemetry span, else the request's), or a new trace for this call outside any. `headers` are the call's
 * merged headers: `traceparent` / `tracestate` from the client's default headers are removed (whatever their
 * spelling), since they cannot belong to this call's trace. `undefined` when the caller set `traceparent` on the
 * call: then its headers go out as they are. A `tracestate` set on the call is kept.
 */
export function startCallTrace(
  headers: Record<string, unknown>,
  callerHeaders: unknown,
): CallTraceHeaders | undefined {
  if (headerValue(callerHeaders, TRACEPARENT_HEADER) !== undefined) return undefined;
  const callerTracestate = headerValue(callerHeaders, TRACESTATE_HEADER) !== undefined;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === TRACEPARENT_HEADER || (lower === TRACESTATE_HEADER && !callerTracestate))
      delete headers[name];
  }
  const current = getTraceContext();
  if (current === undefined)
    return new CallTraceHeaders(generateTraceId(), NEW_TRACE_FLAGS, undefined, undefined);
  return new CallTraceHeaders(
    current.traceId,
    current.traceFlags,
    callerTracestate ? undefined : current.tracestate,
    current.source === 'opentelemetry' ? current.spanId : undefined,
  );
}
