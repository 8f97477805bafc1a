/** W3C Trace Context request header with the trace id, the caller's span id and the flags (lowercase). */
export const TRACEPARENT_HEADER = 'traceparent';
/** W3C Trace Context request header with vendor-specific entries, valid only next to a valid `traceparent`. */
export const TRACESTATE_HEADER = 'tracestate';

/** The fields of a valid `traceparent` header. */
export interface Traceparent {
  /** Two lowercase hex characters: `'00'`, or a later version whose first four fields were readable. */
  readonly version: string;
  /** 32 lowercase hex characters, not all zero. */
  readonly traceId: string;
  /** The caller's span id: 16 lowercase hex characters, not all zero. */
  readonly parentId: string;
  /** The 8-bit flags (bit 0 = sampled). Of a later version, only the sampled bit is kept. */
  readonly traceFlags: number;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
// version 00: exactly `vv-<32>-<16>-ff`; a later version may append `-...` after the flags.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/s;
const VERSION_00_LENGTH = 55;
const SAMPLED = 0x01;

/** Longest `tracestate` passed on (the spec asks for at least 512 characters); a longer one is dropped whole. */
export const MAX_TRACESTATE_LENGTH = 512;
const MAX_TRACESTATE_MEMBERS = 32;
const TRACESTATE_MEMBER =
  /^([a-z0-9][a-z0-9_\-*/@]{0,255})=([\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e])$/;

/** True for 32 lowercase hex characters, not all zero (a W3C trace id). */
export function isValidTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID.test(value) && value !== ZERO_TRACE_ID;
}

/** True for 16 lowercase hex characters, not all zero (a W3C span / parent id). */
export function isValidSpanId(value: unknown): value is string {
  return typeof value === 'string' && SPAN_ID.test(value) && value !== ZERO_SPAN_ID;
}

/** True for trace flags as the context carries them: an integer from 0 to 255. */
export function isValidTraceFlags(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xff;
}

/**
 * The fields of a `traceparent` header value, or `undefined` when it is not valid: version `00` must be exactly
 * `00-<32 hex>-<16 hex>-<2 hex>` (55 characters) with lowercase hex and ids not all zero; version `ff` is invalid;
 * a later version is read by its first four fields when they have that shape and the flags end the value or are
 * followed by `-` (the spec's "Versioning of traceparent"). Anything else, including uppercase hex, a value sent
 * twice (`a, b`) and non-strings, is `undefined`.
 */
export function parseTraceparent(value: unknown): Traceparent | undefined {
  if (typeof value !== 'string' || value.length < VERSION_00_LENGTH) return undefined;
  const match = TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, parentId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff') return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_SPAN_ID) return undefined;
  const traceFlags = Number.parseInt(flags, 16);
  return { version, traceId, parentId, traceFlags: version === '00' ? traceFlags : traceFlags & SAMPLED };
}

/**
 * A version `00` `traceparent` value: `00-<traceId>-<parentId>-<flags as 2 hex>`. Throws a TypeError naming the
 * field when `traceId` or `parentId` is not a valid id or `traceFlags` is not an integer 0-255.
 */
export function formatTraceparent(fields: {
  readonly traceId: string;
  readonly parentId: string;
  readonly traceFlags: number;
}): string {
  const { traceId, parentId, traceFlags } = fields;
  if (!isValidTraceId(traceId)) {
    throw new TypeError('formatTraceparent: traceId must be 32 lowercase hex characters, not all zero');
  }
  if (!isValidSpanId(parentId)) {
    throw new TypeError('formatTraceparent: parentId must be 16 lowercase hex characters, not all zero');
  }
  if (!isValidTraceFlags(traceFlags)) {
    throw new TypeError('formatTraceparent: traceFlags must be an integer from 0 to 255');
  }
  return `00-${traceId}-${parentId}-${traceFlags < 0x10 ? '0' : ''}${traceFlags.toString(16)}`;
}

/**
 * True for a `tracestate` value that may be passed on unchanged: at most 512 characters, at most 32 list members
 * `key=value` (key: lowercase letter or digit, then up to 255 of `a-z 0-9 _ - * / @`; value: 1-256 printable
 * ASCII characters but `,` and `=`, not ending in a space), no key twice; empty members and spaces or tabs around
 * members are allowed. An empty or blank value is not worth sending: false.
 */
export function isValidTracestate(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_TRACESTATE_LENGTH) return false;
  const keys = new Set<string>();
  for (const raw of value.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (member === '') continue;
    const match = TRACESTATE_MEMBER.exec(member);
    const key = match?.[1];
    if (key === undefined || keys.has(key)) return false;
    keys.add(key);
  }
  return keys.size > 0 && keys.size <= MAX_TRACESTATE_MEMBERS;
}
