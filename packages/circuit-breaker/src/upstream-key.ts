const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  'http:': '80',
  'https:': '443',
  'ws:': '80',
  'wss:': '443',
};

/**
 * The registry key of an upstream: its origin as `protocol://host:port`, with the scheme and
 * host lower-cased and the default port filled in, so `HTTP://API.example.com/x?y` and
 * `http://api.example.com:80/` share one breaker. Path, query, credentials and fragment are dropped.
 *
 * @throws TypeError when `url` is not an absolute http(s)/ws(s) URL.
 */
export function upstreamKey(url: string | URL): string {
  let parsed: URL;
  try {
    // Stryker disable next-line ConditionalExpression: new URL(aUrlObject) reads its href too
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    throw new TypeError(`upstreamKey: url must be an absolute URL, got ${JSON.stringify(String(url))}`);
  }
  const defaultPort = DEFAULT_PORTS[parsed.protocol];
  if (defaultPort === undefined) {
    throw new TypeError(
      `upstreamKey: unsupported protocol ${JSON.stringify(parsed.protocol)} (http, https, ws, wss)`,
    );
  }
  return `${parsed.protocol}//${parsed.hostname.toLowerCase()}:${parsed.port || defaultPort}`;
}
