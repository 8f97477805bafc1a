import { describe, expect, it } from 'vitest';
import { upstreamKey } from './upstream-key.js';

describe('upstreamKey', () => {
  it.each([
    ['http://api.example.com/items?id=1', 'http://api.example.com:80'],
    ['HTTP://API.Example.COM:80/', 'http://api.example.com:80'],
    ['https://api.example.com', 'https://api.example.com:443'],
    ['https://api.example.com:8443/x#frag', 'https://api.example.com:8443'],
    ['http://user:secret@127.0.0.1:3001/api', 'http://127.0.0.1:3001'],
    ['http://[::1]:3001/', 'http://[::1]:3001'],
    ['ws://example.com/socket', 'ws://example.com:80'],
  ])('maps %s to %s', (input, expected) => {
    expect(upstreamKey(input)).toBe(expected);
  });

  it('accepts a URL object', () => {
    expect(upstreamKey(new URL('https://Example.com/a'))).toBe('https://example.com:443');
  });

  it('gives the same key to the same origin written differently', () => {
    expect(upstreamKey('http://localhost/a')).toBe(upstreamKey('http://LOCALHOST:80/b?c'));
  });

  it.each(['/relative/path', 'not a url', '', 'ftp://example.com/file'])(
    'rejects %j with a TypeError',
    (input) => {
      expect(() => upstreamKey(input)).toThrow(TypeError);
    },
  );
});
