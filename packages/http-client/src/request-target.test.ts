import { upstreamKey } from '@resilience/circuit-breaker';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestTargets, resolveUrl, UpstreamKeys } from './request-target.js';
import { safeUrl } from './safe-url.js';

// Both caches exist so that a URL is not parsed on every call: count the parses to pin them.
vi.mock('@resilience/circuit-breaker', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@resilience/circuit-breaker')>();
  return { ...actual, upstreamKey: vi.fn(actual.upstreamKey) };
});
vi.mock('./safe-url.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./safe-url.js')>();
  return { safeUrl: vi.fn(actual.safeUrl) };
});

const parsedUrls = (): string[] => vi.mocked(upstreamKey).mock.calls.map(([url]) => String(url));

beforeEach(() => {
  vi.mocked(upstreamKey).mockClear();
  vi.mocked(safeUrl).mockClear();
});

describe('resolveUrl', () => {
  it('returns url alone without a baseURL', () => {
    expect(resolveUrl(undefined, '/orders')).toBe('/orders');
    expect(resolveUrl('', '/orders')).toBe('/orders');
    expect(resolveUrl('', 'orders')).toBe('orders');
  });

  it('returns baseURL alone for an empty url', () => {
    expect(resolveUrl('http://api.test/v1/', '')).toBe('http://api.test/v1/');
  });

  it('joins baseURL and url with exactly one slash, however many each side has', () => {
    expect(resolveUrl('http://api.test/v1', 'orders')).toBe('http://api.test/v1/orders');
    expect(resolveUrl('http://api.test/v1//', '//orders/')).toBe('http://api.test/v1/orders/');
    expect(resolveUrl('http://api.test/v1/', '/orders')).toBe('http://api.test/v1/orders');
  });

  it('keeps slashes inside baseURL and url', () => {
    expect(resolveUrl('http://api.test//a//b', 'c//d')).toBe('http://api.test//a//b/c//d');
  });

  it('ignores baseURL for an absolute url of any scheme, in any case', () => {
    expect(resolveUrl('http://api.test', 'https://other.test/x')).toBe('https://other.test/x');
    expect(resolveUrl('http://api.test', 'HTTP://other.test/x')).toBe('HTTP://other.test/x');
    expect(resolveUrl('http://api.test', 'svn+ssh.v-2://host/x')).toBe('svn+ssh.v-2://host/x');
  });

  it('joins a url that only contains a scheme later, or has no //, or starts with a digit', () => {
    expect(resolveUrl('http://api.test', 'p/http://x')).toBe('http://api.test/p/http://x');
    expect(resolveUrl('http://api.test', 'mailto:a@b')).toBe('http://api.test/mailto:a@b');
    expect(resolveUrl('http://api.test', 'a:/x')).toBe('http://api.test/a:/x');
    expect(resolveUrl('http://api.test', '1a://x')).toBe('http://api.test/1a://x');
    expect(resolveUrl('http://api.test', 'a_b://x')).toBe('http://api.test/a_b://x');
  });
});

describe('UpstreamKeys', () => {
  it('is the breaker key of the URL', () => {
    const keys = new UpstreamKeys();
    expect(keys.of('https://API.test/v1/orders?x=1#f')).toBe('https://api.test:443');
    expect(keys.of('http://api.test:8080')).toBe('http://api.test:8080');
  });

  it('parses each origin once, whatever follows it: path, query string or fragment', () => {
    const keys = new UpstreamKeys();
    expect(keys.of('http://api.test/a?b#c')).toBe('http://api.test:80');
    expect(keys.of('http://api.test?b/c#d')).toBe('http://api.test:80');
    expect(keys.of('http://api.test#c/d?e')).toBe('http://api.test:80');
    expect(keys.of('http://api.test/x')).toBe('http://api.test:80');
    expect(keys.of('http://api.test')).toBe('http://api.test:80');
    expect(parsedUrls()).toEqual(['http://api.test']);
  });

  it('tells origins apart', () => {
    const keys = new UpstreamKeys();
    expect(keys.of('http://a.test/x')).toBe('http://a.test:80');
    expect(keys.of('http://b.test/x')).toBe('http://b.test:80');
    expect(parsedUrls()).toEqual(['http://a.test', 'http://b.test']);
  });

  it('forgets every origin when the 1001st arrives, so the cache stays bounded', () => {
    const keys = new UpstreamKeys();
    for (let index = 0; index < 1000; index += 1) keys.of(`http://h${index}.test/`);
    keys.of('http://h0.test/again');
    expect(parsedUrls()).toHaveLength(1000);
    keys.of('http://h1000.test/');
    keys.of('http://h1000.test/again');
    expect(parsedUrls()).toHaveLength(1001);
    keys.of('http://h0.test/');
    expect(parsedUrls()).toHaveLength(1002);
  });

  it('names the whole URL when it has no scheme', () => {
    const keys = new UpstreamKeys();
    expect(() => keys.of('://host/path')).toThrow(
      'upstreamKey: url must be an absolute URL, got "://host/path"',
    );
    expect(() => keys.of('/orders')).toThrow('got "/orders"');
    expect(() => keys.of('ftp://host/x')).toThrow('unsupported protocol "ftp:"');
  });
});

describe('RequestTargets', () => {
  it('resolves the URL, its loggable form and its breaker key', () => {
    const targets = new RequestTargets();
    expect(targets.resolve('http://user:pw@api.test/v1', 'orders?token=x')).toEqual({
      fullUrl: 'http://user:pw@api.test/v1/orders?token=x',
      safeUrl: 'http://api.test/v1/orders',
      upstream: 'http://api.test:80',
    });
    expect(targets.resolve(undefined, 'https://other.test/x')).toEqual({
      fullUrl: 'https://other.test/x',
      safeUrl: 'https://other.test/x',
      upstream: 'https://other.test:443',
    });
  });

  it('remembers a target per baseURL and url', () => {
    const targets = new RequestTargets();
    const first = targets.resolve('http://api.test', 'a');
    expect(targets.resolve('http://api.test', 'a')).toBe(first);
    expect(targets.resolve('http://api.test', 'b').fullUrl).toBe('http://api.test/b');
    expect(targets.resolve('http://api.test/a', '').fullUrl).toBe('http://api.test/a');
    expect(targets.resolve('http://api.test/', 'a').fullUrl).toBe('http://api.test/a');
    expect(targets.resolve(undefined, 'http://api.test/a').fullUrl).toBe('http://api.test/a');
    expect(vi.mocked(safeUrl)).toHaveBeenCalledTimes(5);
  });

  it('does not mix up a baseURL and url split at another place', () => {
    const targets = new RequestTargets();
    expect(targets.resolve('http://api.test/a', 'b').fullUrl).toBe('http://api.test/a/b');
    expect(targets.resolve('http://api.test/ab', '').fullUrl).toBe('http://api.test/ab');
    expect(targets.resolve('http://api.test', 'a/b').fullUrl).toBe('http://api.test/a/b');
    expect(targets.resolve('http://api.test/a\nb', 'c').fullUrl).toBe('http://api.test/a\nb/c');
  });

  it('forgets every target when the 1001st arrives, so the cache stays bounded', () => {
    const targets = new RequestTargets();
    for (let index = 0; index < 1000; index += 1) targets.resolve('http://api.test', `p${index}`);
    targets.resolve('http://api.test', 'p0');
    expect(vi.mocked(safeUrl)).toHaveBeenCalledTimes(1000);
    targets.resolve('http://api.test', 'p1000');
    targets.resolve('http://api.test', 'p1000');
    expect(vi.mocked(safeUrl)).toHaveBeenCalledTimes(1001);
    targets.resolve('http://api.test', 'p0');
    expect(vi.mocked(safeUrl)).toHaveBeenCalledTimes(1002);
  });

  it('throws a TypeError for a URL that is not absolute, and remembers nothing for it', () => {
    const targets = new RequestTargets();
    expect(() => targets.resolve(undefined, '/orders')).toThrow(TypeError);
    expect(() => targets.resolve(undefined, '/orders')).toThrow(TypeError);
  });
});
