import { describe, expect, it } from 'vitest';
import { createLineRedactor } from './redact-line.js';

const redact = createLineRedactor(['authorization', 'set-cookie', 'token', 'apiKey']);
const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

describe('createLineRedactor', () => {
  it('returns the very same string when nothing matches', () => {
    const input = line({ level: 'info', method: 'GET', path: '/a', status: 200 });
    expect(redact(input)).toBe(input);
  });

  it.each([
    ['a string', 'Bearer abc'],
    ['a number', 12345],
    ['a boolean', true],
    ['null', null],
    ['an array', ['a=1; HttpOnly', 'b=[2]']],
    ['an object', { nested: { deeper: '}{][' } }],
    ['a string with escaped quotes and backslashes', 'a\\"b\\\\"c'],
  ])('replaces %s value and keeps the line valid JSON', (_name, value) => {
    const output = redact(line({ before: 1, token: value, after: 'x' }));
    expect(JSON.parse(output)).toEqual({ before: 1, token: '[Redacted]', after: 'x' });
    expect(output.endsWith('\n')).toBe(true);
  });

  it('finds keys at any depth, as first or last property, several times', () => {
    const input = line({
      token: 'a',
      a: { b: { c: { d: { e: { authorization: 'b' } } } } },
      list: [{ apiKey: 'c' }, { other: 1, 'set-cookie': ['d'] }],
    });
    expect(JSON.parse(redact(input))).toEqual({
      token: '[Redacted]',
      a: { b: { c: { d: { e: { authorization: '[Redacted]' } } } } },
      list: [{ apiKey: '[Redacted]' }, { other: 1, 'set-cookie': '[Redacted]' }],
    });
  });

  it('matches names case-insensitively', () => {
    const input = line({
      Authorization: 'a',
      AUTHORIZATION: 'b',
      Token: 'c',
      APIKEY: 'd',
      'Set-Cookie': 'e',
    });
    expect(Object.values(JSON.parse(redact(input)))).toEqual(Array(5).fill('[Redacted]'));
  });

  it('leaves other names alone, including names that merely contain a secret name', () => {
    const input = line({ tokenCount: 3, csrf_token_age: 1, authorizationMode: 'oauth' });
    expect(redact(input)).toBe(input);
  });

  it('does not touch text inside string values that looks like a secret property', () => {
    const input = line({ msg: 'body was {"token":"abc"} and ,"authorization":"x"', token_hint: 'none' });
    expect(redact(input)).toBe(input);
  });
});
