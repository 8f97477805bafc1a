import { AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';
import { headerValue } from './outbound-headers.js';

describe('headerValue', () => {
  it('finds a header of a plain object whatever the case of its name', () => {
    expect(headerValue({ 'X-Request-Id': 'abc' }, 'x-request-id')).toBe('abc');
    expect(headerValue({ 'x-request-id': 'abc' }, 'x-request-id')).toBe('abc');
    expect(headerValue({ accept: 'json', 'X-REQUEST-ID': 'abc' }, 'x-request-id')).toBe('abc');
  });

  it('takes the first of two spellings of one name', () => {
    expect(headerValue({ 'x-request-id': 'first', 'X-Request-Id': 'second' }, 'x-request-id')).toBe('first');
  });

  it('does not match another name of the same length', () => {
    expect(headerValue({ 'x-session-id': 'abc' }, 'x-request-id')).toBeUndefined();
  });

  it('does not match a name that only starts or ends like it', () => {
    expect(headerValue({ 'x-request-id-2': 'abc', 'a-x-request-id': 'def' }, 'x-request-id')).toBeUndefined();
  });

  it('finds a header of AxiosHeaders whatever the case of its name', () => {
    expect(headerValue(new AxiosHeaders({ 'X-Request-Id': 'abc' }), 'x-request-id')).toBe('abc');
    expect(headerValue(new AxiosHeaders({ Accept: 'json' }), 'x-request-id')).toBeUndefined();
  });

  it('turns a number into its string', () => {
    expect(headerValue({ 'Idempotency-Key': 42 }, 'idempotency-key')).toBe('42');
    expect(headerValue(new AxiosHeaders({ 'Content-Length': 0 }), 'content-length')).toBe('0');
  });

  it('counts an empty string, any other type and a missing header as absent', () => {
    expect(headerValue({ 'x-request-id': '' }, 'x-request-id')).toBeUndefined();
    expect(headerValue({ 'x-request-id': true }, 'x-request-id')).toBeUndefined();
    expect(headerValue({ 'x-request-id': ['a'] }, 'x-request-id')).toBeUndefined();
    expect(headerValue({}, 'x-request-id')).toBeUndefined();
  });

  it('reads nothing from headers that are not an object', () => {
    expect(headerValue(undefined, 'x-request-id')).toBeUndefined();
    expect(headerValue(null, 'x-request-id')).toBeUndefined();
    expect(headerValue('x-request-id: abc', 'x-request-id')).toBeUndefined();
  });
});
