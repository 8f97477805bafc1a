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
    ['wss://example.com/socket', 'wss://example.com:443'],
    ['wss://example.com:8443/socket', 'wss://example.com:8443'],
  ])('maps %s to %s', (input, expected) => {
    expect(upstreamKey(input)).toBe(expected);
  });

  it('accepts a URL object', () => {
    expect(upstreamKey(new URL('https://Example.com/a'))).toBe('https://example.com:443');
  });

  it('gives the same key to the same origin written differently', () => {
    expect(upstreamKey('http://localhost/a')).toBe(upstreamKey('http://LOCALHOST:80/b?c'));
  });

  it.each([
    ['/relative/path', 'upstreamKey: url must be an absolute URL, got "/relative/path"'],
    ['not a url', 'upstreamKey: url must be an absolute URL, got "not a url"'],
    ['', 'upstreamKey: url must be an absolute URL, got ""'],
    ['ftp://example.com/file', 'upstreamKey: unsupported protocol "ftp:" (http, https, ws, wss)'],
  ])('rejects %j with a TypeError saying why', (input, message) => {
    expect(() => upstreamKey(input)).toThrow(new TypeError(message));
  });
});
