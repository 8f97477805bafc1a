import { describe, expect, it } from 'vitest';
import {
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  isValidTracestate,
  parseTraceparent,
} from './traceparent.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe('parseTraceparent', () => {
  it('reads the four fields of a version 00 value', () => {
    expect(parseTraceparent(VALID)).toEqual({
      version: '00',
      traceId: TRACE_ID,
      parentId: PARENT_ID,
      traceFlags: 1,
    });
  });

  it('keeps every flag bit of version 00 (unsampled, and bits it does not know)', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)?.traceFlags).toBe(0);
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-09`)?.traceFlags).toBe(9);
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-ff`)?.traceFlags).toBe(255);
  });

  it.each([
    ['empty', ''],
    ['one character short', VALID.slice(0, -1)],
    ['one character long', `${VALID}0`],
    ['a trace id of 31 characters', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['a parent id of 17 characters', `00-${TRACE_ID}-${PARENT_ID}a-01`],
    ['a flags field of 1 character', `00-${TRACE_ID}-${PARENT_ID}-1`],
    ['version ff', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT_ID}-01`],
    ['an all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['an uppercase trace id', `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ['an uppercase parent id', `00-${TRACE_ID}-00F067AA0BA902B7-01`],
    ['uppercase flags', `00-${TRACE_ID}-${PARENT_ID}-0A`],
    ['an uppercase version', `0A-${TRACE_ID}-${PARENT_ID}-01`],
    ['an extra field on version 00', `${VALID}-what-the-future-will-be-like`],
    ['a dash after the flags of version 00', `${VALID}-`],
    ['the header sent twice', `${VALID}, ${VALID}`],
    ['leading whitespace', ` ${VALID}`],
    ['a non-hex character', `00-${TRACE_ID.slice(0, -1)}g-${PARENT_ID}-01`],
    ['underscores for dashes', VALID.replaceAll('-', '_')],
    ['a future version shorter than 55 characters', `cc-${TRACE_ID}-${PARENT_ID}-0`],
    ['a future version with flags not followed by a dash', `cc-${TRACE_ID}-${PARENT_ID}-01.what`],
    ['a future version with an all-zero trace id', `cc-${'0'.repeat(32)}-${PARENT_ID}-01-x`],
  ])('refuses %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('refuses anything that is not a string', () => {
    expect(parseTraceparent(undefined)).toBeUndefined();
    expect(parseTraceparent([VALID])).toBeUndefined();
    expect(parseTraceparent(42)).toBeUndefined();
  });

  it('reads the first four fields of a later version, exactly 55 characters or followed by "-"', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${PARENT_ID}-01`)).toEqual({
      version: 'cc',
      traceId: TRACE_ID,
      parentId: PARENT_ID,
      traceFlags: 1,
    });
    expect(parseTraceparent(`01-${TRACE_ID}-${PARENT_ID}-01-what-the-future-will-be-like`)).toEqual({
      version: '01',
      traceId: TRACE_ID,
      parentId: PARENT_ID,
      traceFlags: 1,
    });
  });

  it('keeps only the sampled bit of a later version', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${PARENT_ID}-fe-x`)?.traceFlags).toBe(0);
    expect(parseTraceparent(`cc-${TRACE_ID}-${PARENT_ID}-0b`)?.traceFlags).toBe(1);
  });
});

describe('formatTraceparent', () => {
  it('writes version 00 with two-digit lowercase flags', () => {
    expect(formatTraceparent({ traceId: TRACE_ID, parentId: PARENT_ID, traceFlags: 1 })).toBe(VALID);
    expect(formatTraceparent({ traceId: TRACE_ID, parentId: PARENT_ID, traceFlags: 0 })).toBe(
      `00-${TRACE_ID}-${PARENT_ID}-00`,
    );
    expect(formatTraceparent({ traceId: TRACE_ID, parentId: PARENT_ID, traceFlags: 0xab })).toBe(
      `00-${TRACE_ID}-${PARENT_ID}-ab`,
    );
  });

  it('gives back what parseTraceparent read', () => {
    const parsed = parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-10`);
    expect(parsed && formatTraceparent(parsed)).toBe(`00-${TRACE_ID}-${PARENT_ID}-10`);
  });

  it('refuses invalid fields with a TypeError naming the field', () => {
    expect(() => formatTraceparent({ traceId: '0'.repeat(32), parentId: PARENT_ID, traceFlags: 1 })).toThrow(
      /traceId must be 32 lowercase hex/,
    );
    expect(() =>
      formatTraceparent({ traceId: TRACE_ID, parentId: 'ABCDEF0123456789', traceFlags: 1 }),
    ).toThrow(/parentId must be 16 lowercase hex/);
    expect(() => formatTraceparent({ traceId: TRACE_ID, parentId: PARENT_ID, traceFlags: 256 })).toThrow(
      /traceFlags must be an integer from 0 to 255/,
    );
    expect(() => formatTraceparent({ traceId: TRACE_ID, parentId: PARENT_ID, traceFlags: 1.5 })).toThrow(
      TypeError,
    );
  });
});

describe('isValidTraceId / isValidSpanId', () => {
  it('accepts lowercase hex of the right length, not all zero', () => {
    expect(isValidTraceId(TRACE_ID)).toBe(true);
    expect(isValidSpanId(PARENT_ID)).toBe(true);
  });

  it('refuses all zeros, uppercase, other lengths and non-strings', () => {
    expect(isValidTraceId('0'.repeat(32))).toBe(false);
    expect(isValidTraceId(TRACE_ID.toUpperCase())).toBe(false);
    expect(isValidTraceId(`${TRACE_ID}0`)).toBe(false);
    expect(isValidSpanId('0'.repeat(16))).toBe(false);
    expect(isValidSpanId(PARENT_ID.slice(1))).toBe(false);
    expect(isValidSpanId(7)).toBe(false);
  });
});

describe('isValidTracestate', () => {
  it('accepts list members, empty members and whitespace around them', () => {
    expect(isValidTracestate('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toBe(true);
    expect(isValidTracestate('rojo=00f067aa0ba902b7 ,\t congo=t61rcWkgMzE,,')).toBe(true);
    expect(isValidTracestate('tenant@vendor=x,a_b-c*d/e=  leading spaces kept')).toBe(true);
  });

  it('accepts 512 characters and 32 members, refuses 513 characters and 33 members', () => {
    const long = `k=${'v'.repeat(254)},l=${'v'.repeat(253)}`;
    expect(long).toHaveLength(512);
    expect(isValidTracestate(long)).toBe(true);
    expect(isValidTracestate(`${long}x`)).toBe(false);
    const members = Array.from({ length: 32 }, (_, i) => `k${i}=v`);
    expect(isValidTracestate(members.join(','))).toBe(true);
    expect(isValidTracestate([...members, 'k32=v'].join(','))).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['blank', ' , '],
    ['a key with an uppercase letter', 'Rojo=1'],
    ['a key starting with "_"', '_rojo=1'],
    ['no "="', 'rojo'],
    ['an empty value', 'rojo='],
    ['a value with "="', 'rojo=a=b'],
    ['a value with a control character', 'rojo=a\nb'],
    ['a non-ASCII value', 'rojo=\u00e9'],
    ['a value of 257 characters', `rojo=${'v'.repeat(257)}`],
    ['a key twice', 'rojo=1,congo=2,rojo=3'],
  ])('refuses %s', (_name, value) => {
    expect(isValidTracestate(value)).toBe(false);
  });
});
