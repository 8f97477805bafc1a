import { hostname } from 'node:os';
import type { DestinationStream, LevelWithSilent, Logger as PinoLogger } from 'pino';
import pino from 'pino';
import { getRequestId, getTraceContext } from './context.js';
import { createLineRedactor, SECRET_FIELDS, SECRET_HEADERS } from './redact-line.js';

/** A pino logger. Lines are JSON with `level` (label), ISO `time`, `service`, `pid`, `hostname`, `msg`. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  /**
   * Lowest level written: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`.
   * @default 'info'
   */
  readonly level?: LevelWithSilent;
  /**
   * Value of the `service` field on every line.
   * @default 'app'
   */
  readonly service?: string;
  /**
   * Where lines go: anything with `write(line: string)`, e.g. `pino.destination(...)`, a file
   * stream or an in-memory stream in tests.
   * @default synchronous writes to stdout (fd 1): no line is lost when the process exits or crashes
   */
  readonly destination?: DestinationStream;
  /**
   * Extra field names whose values are replaced by `"[Redacted]"` wherever they appear (any depth,
   * case-insensitive), like the default `password`, `token`, `secret`, `apiKey` and the secret headers.
   * This is the fast way to add a secret.
   * @default []
   */
  readonly redactFields?: readonly string[];
  /**
   * Extra redaction paths in pino syntax (`'user.ssn'`, `'cards[*].number'`), for secrets that only
   * a path identifies. Uses pino's path redaction, which costs time on every line: prefer
   * `redactFields`. Added to the defaults, which cannot be turned off.
   * @default []
   */
  readonly redact?: readonly string[];
  /**
   * Extra fields on every line. `service` (option above) wins over a `service` given here.
   * @default `{}`
   */
  readonly base?: Readonly<Record<string, unknown>>;
}

/** Defaults for every `LoggerOptions` field, in one place. */
export const LOGGER_DEFAULTS = {
  level: 'info',
  service: 'app',
  redact: [],
  redactFields: [],
  base: {},
} as const satisfies Omit<Required<LoggerOptions>, 'destination'>;

const LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});
const REQUEST_ID_BINDING = ',"requestId":';
const TRACE_ID_BINDING = ',"trace_id":';

// Mark child loggers whose bindings already carry `requestId` / `trace_id` (with `span_id`), so the mixin does not
// add them twice (pino writes bindings and mixin fields side by side: the key would appear twice in the JSON).
const kRequestIdBound = Symbol('requestIdBound');
const kTraceBound = Symbol('traceBound');

/**
 * `requestId` of the request context, and `trace_id` / `span_id` of the current trace context (the active
 * OpenTelemetry span, else the request's), on every line, unless the logger's own bindings carry them.
 */
function requestContextMixin(_mergeObject: object, _level: number, logger: PinoLogger): object {
  const requestId = kRequestIdBound in logger ? undefined : getRequestId();
  const trace = kTraceBound in logger ? undefined : getTraceContext();
  if (requestId === undefined && trace === undefined) return NO_FIELDS;
  const fields: Record<string, string> = {};
  if (requestId !== undefined) fields.requestId = requestId;
  if (trace !== undefined) {
    fields.trace_id = trace.traceId;
    fields.span_id = trace.spanId;
  }
  return fields;
}

function mergeMixin(mergeObject: object, mixinObject: object): object {
  return mixinObject === NO_FIELDS ? mergeObject : Object.assign(mixinObject, mergeObject);
}

function markContextBindings(child: PinoLogger): void {
  const chindings: unknown = Reflect.get(child, pino.symbols.chindingsSym);
  if (typeof chindings !== 'string') return;
  if (chindings.includes(REQUEST_ID_BINDING)) Object.defineProperty(child, kRequestIdBound, { value: true });
  if (chindings.includes(TRACE_ID_BINDING)) Object.defineProperty(child, kTraceBound, { value: true });
}

function validate(options: LoggerOptions): void {
  const { level, service, destination, redact, redactFields, base } = options;
  if (level !== undefined && !LEVELS.has(level)) {
    throw new TypeError(
      `createLogger: level must be one of ${[...LEVELS].join(', ')} (got ${String(level)})`,
    );
  }
  if (service !== undefined && (typeof service !== 'string' || service.length === 0)) {
    throw new TypeError('createLogger: service must be a non-empty string');
  }
  if (destination !== undefined && typeof destination?.write !== 'function') {
    throw new TypeError('createLogger: destination must have a write(line) method');
  }
  for (const [name, list] of [
    ['redact', redact],
    ['redactFields', redactFields],
  ] as const) {
    if (list !== undefined && (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || p === ''))) {
      throw new TypeError(`createLogger: ${name} must be an array of non-empty strings`);
    }
  }
  if (base !== undefined && (typeof base !== 'object' || base === null || Array.isArray(base))) {
    throw new TypeError('createLogger: base must be a plain object');
  }
}

/**
 * A pino logger writing JSON lines, with secrets redacted and, inside a request context
 * (`runWithRequestContext`, `httpLogger`), the request's `requestId` on every line, from this
 * logger and from all of its children, and beside it `trace_id` and `span_id` of the current trace context
 * (`getTraceContext()`: the active OpenTelemetry span, else the request's).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  validate(options);
  const level = options.level ?? LOGGER_DEFAULTS.level;
  const service = options.service ?? LOGGER_DEFAULTS.service;
  const extraPaths = options.redact ?? LOGGER_DEFAULTS.redact;
  const extraFields = options.redactFields ?? LOGGER_DEFAULTS.redactFields;
  const redactLine = createLineRedactor([...SECRET_HEADERS, ...SECRET_FIELDS, ...extraFields]);
  const base = options.base ?? LOGGER_DEFAULTS.base;
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });

  return pino(
    {
      level,
      base: { pid: process.pid, hostname: hostname(), ...base, service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: redactLine },
      ...(extraPaths.length > 0 ? { redact: { paths: [...extraPaths], censor: '[Redacted]' } } : {}),
      mixin: requestContextMixin,
      mixinMergeStrategy: mergeMixin,
      onChild: markContextBindings,
    },
    destination,
  );
}
