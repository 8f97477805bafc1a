import { createRequire } from 'node:module';
import { isValidSpanId, isValidTraceFlags, isValidTraceId } from './traceparent.js';

/** The span context of the active OpenTelemetry span, as the log fields and outbound calls use it. */
export interface ActiveSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly tracestate: string | undefined;
  readonly source: 'opentelemetry';
}

/**
 * The part of `@opentelemetry/api` this package reads, typed here so that neither the build nor the published
 * types need the package.
 */
interface OpenTelemetryApi {
  readonly context: { active(): unknown };
  readonly trace: {
    getSpanContext(
      context: unknown,
    ):
      | { traceId: string; spanId: string; traceFlags: number; traceState?: { serialize(): string } }
      | undefined;
  };
}

/** Reads the active span's context, or `undefined` (no active span, or `@opentelemetry/api` not installed). */
export type ActiveSpanReader = () => ActiveSpanContext | undefined;

function isOpenTelemetryApi(value: unknown): value is OpenTelemetryApi {
  const api = value as Partial<OpenTelemetryApi> | null | undefined;
  return typeof api?.context?.active === 'function' && typeof api?.trace?.getSpanContext === 'function';
}

/**
 * A reader of the active OpenTelemetry span that loads `@opentelemetry/api` with `load` on its first call (not
 * before), once. When loading fails (the package is not installed) or gives something else, every call answers
 * `undefined` and nothing is thrown.
 */
export function createActiveSpanReader(load: () => unknown): ActiveSpanReader {
  let api: OpenTelemetryApi | null | undefined;
  return () => {
    if (api === undefined) {
      try {
        const loaded = load();
        api = isOpenTelemetryApi(loaded) ? loaded : null;
      } catch {
        api = null;
      }
    }
    if (api === null) return undefined;
    const spanContext = api.trace.getSpanContext(api.context.active());
    // An invalid context (the API's INVALID_SPAN_CONTEXT, a non-recording placeholder) is no active span.
    if (
      spanContext === undefined ||
      !isValidTraceId(spanContext.traceId) ||
      !isValidSpanId(spanContext.spanId) ||
      !isValidTraceFlags(spanContext.traceFlags)
    ) {
      return undefined;
    }
    const tracestate = spanContext.traceState?.serialize();
    return {
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      traceFlags: spanContext.traceFlags,
      tracestate: tracestate === undefined || tracestate === '' ? undefined : tracestate,
      source: 'opentelemetry',
    };
  };
}

/**
 * The active span of the application's `@opentelemetry/api`, an optional peer dependency: resolved from this
 * package with `require()` on first use. The API keeps its registered context manager and tracer provider on
 * `globalThis`, so this copy sees what the application registered through its own import.
 */
export const activeSpanContext: ActiveSpanReader = createActiveSpanReader(() =>
  createRequire(import.meta.url)('@opentelemetry/api'),
);
