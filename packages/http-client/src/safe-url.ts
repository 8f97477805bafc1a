/**
 * The URL without credentials, query string or fragment: what may appear in logs and error messages
 * (query strings and userinfo often carry tokens). Unparseable input is cut at the first `?` or `#`.
 */
export function safeUrl(url: string): string {
  if (URL.canParse(url)) {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  }
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
