import { upstreamKey } from '@resilience/circuit-breaker';
import { safeUrl } from './safe-url.js';

const ABSOLUTE_URL = /^[a-z][a-z\d+\-.]*:\/\//i;

/** The URL axios will request: `url` if absolute, else `baseURL` and `url` joined by one slash. */
export function resolveUrl(baseURL: string | undefined, url: string): string {
  if (baseURL === undefined || baseURL === '' || ABSOLUTE_URL.test(url)) return url;
  if (url === '') return baseURL;
  return `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/** Most origins remembered by {@link UpstreamKeys}; the cache is emptied when it would grow beyond. */
const MAX_CACHED_ORIGINS = 1000;

/**
 * `upstreamKey()` of `@resilience/circuit-breaker`, remembered per scheme + authority prefix: a service talks to
 * a handful of origins, and parsing every URL would cost more than the rest of the policy.
 */
export class UpstreamKeys {
  readonly #cache = new Map<string, string>();

  /** The breaker key of `url`; throws a TypeError when `url` is not an absolute http(s) URL. */
  of(url: string): string {
    const prefix = originPrefix(url);
    if (prefix === undefined) return upstreamKey(url);
    let key = this.#cache.get(prefix);
    if (key === undefined) {
      key = upstreamKey(prefix);
      if (this.#cache.size >= MAX_CACHED_ORIGINS) this.#cache.clear();
      this.#cache.set(prefix, key);
    }
    return key;
  }
}

/** `scheme://authority` of an absolute URL, or `undefined` when it does not look like one. */
function originPrefix(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) return undefined;
  let end = url.length;
  for (const delimiter of ['/', '?', '#']) {
    const index = url.indexOf(delimiter, schemeEnd + 3);
    // Stryker disable next-line EqualityOperator: two different delimiters never sit at the same index
    if (index !== -1 && index < end) end = index;
  }
  return url.slice(0, end);
}

/** Where one request goes: the URL axios requests, its loggable form, and its breaker key. */
export interface RequestTarget {
  readonly fullUrl: string;
  /** Without query string, fragment or credentials. */
  readonly safeUrl: string;
  readonly upstream: string;
}

/** Most targets remembered by {@link RequestTargets}; the cache is emptied when it would grow beyond. */
const MAX_CACHED_TARGETS = 1000;

/**
 * Resolves `baseURL` + `url` into a {@link RequestTarget}, remembering recent ones: most calls of a service
 * repeat a few URLs, and this is work on every call.
 */
export class RequestTargets {
  readonly #cache = new Map<string, RequestTarget>();
  readonly #upstreamKeys = new UpstreamKeys();

  /** Throws a TypeError (from `upstreamKey`) when the resolved URL is not an absolute http(s) URL. */
  resolve(baseURL: string | undefined, url: string): RequestTarget {
    const cacheKey = `${baseURL ?? ''}\n${url}`;
    let target = this.#cache.get(cacheKey);
    if (target === undefined) {
      const fullUrl = resolveUrl(baseURL, url);
      target = { fullUrl, safeUrl: safeUrl(fullUrl), upstream: this.#upstreamKeys.of(fullUrl) };
      if (this.#cache.size >= MAX_CACHED_TARGETS) this.#cache.clear();
      this.#cache.set(cacheKey, target);
    }
    return target;
  }
}
