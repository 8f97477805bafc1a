/**
 * The URL without credentials, query string or fragment: what may appear in logs and error messages
 * (query strings and userinfo often carry tokens).
 */
export function safeUrl(url: string): string {
  const cut = url.search(/[?#]/);
  const withoutQuery = cut === -1 ? url : url.slice(0, cut);
  // Credentials are rare: only then is the URL parsed.
  if (!withoutQuery.includes('@') || !URL.canParse(withoutQuery)) return withoutQuery;
  const parsed = new URL(withoutQuery);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
