import { describe, expect, it } from 'vitest';
import { generateRequestId, isValidRequestId, REQUEST_ID_HEADER } from './request-id.js';

describe('generateRequestId', () => {
  it('returns req- followed by exactly 12 lowercase hex characters', () => {
    for (let i = 0; i < 1_000; i += 1) {
      expect(generateRequestId()).toMatch(/^req-[0-9a-f]{12}$/);
    }
  });

  it('generates 100,000 ids without a duplicate', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i += 1) ids.add(generateRequestId());
    expect(ids.size).toBe(100_000);
  });

  it('produces ids that pass isValidRequestId', () => {
    expect(isValidRequestId(generateRequestId())).toBe(true);
  });
});

describe('isValidRequestId', () => {
  it.each([
    ['an id of ours', 'req-0123456789ab'],
    ['a UUID', '9b2c0f0e-3c1a-4f53-9d43-7e1f5b8c2a10'],
    ['a single character', 'a'],
    ['dots, colons, underscores and dashes', 'svc.a:b_c-d'],
    ['exactly 128 characters', 'x'.repeat(128)],
  ])('accepts %s', (_name, value) => {
    expect(isValidRequestId(value)).toBe(true);
  });

  it.each([
    ['CR/LF', 'a\r\nb'],
    ['a lone LF', 'a\nb'],
    ['129 characters', 'x'.repeat(129)],
    ['unicode', 'req-\u00e9t\u00e9'],
    ['an emoji', 'req-\u{1F600}'],
    ['empty', ''],
    ['spaces', 'req 123'],
    ['a trailing space', 'req-1 '],
    ['a comma (two joined header values)', 'a, b'],
    ['a slash', 'a/b'],
  ])('rejects %s', (_name, value) => {
    expect(isValidRequestId(value)).toBe(false);
  });

  it('rejects values that are not strings', () => {
    for (const value of [undefined, null, 42, ['req-1'], { id: 'req-1' }]) {
      expect(isValidRequestId(value)).toBe(false);
    }
  });
});

describe('REQUEST_ID_HEADER', () => {
  it('is the lowercase x-request-id header name', () => {
    expect(REQUEST_ID_HEADER).toBe('x-request-id');
  });
});
