/** Headers whose values never reach a log line, in the spellings Node, fetch and axios use. */
const SECRET_HEADERS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'Proxy-Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'Set-Cookie',
  'x-api-key',
  'X-Api-Key',
  'X-API-Key',
] as const;

/** Field names whose values never reach a log line. */
export const DEFAULT_SECRET_FIELDS = ['password', 'token', 'secret', 'apiKey'] as const;

/** How deep below the top level a secret is searched: `x`, `a.x`, `a.b.x`, `a.b.c.x`. */
const NESTING_DEPTH = 3;

function keyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
}

/**
 * Redaction paths for a key at the top level and under one to three levels of objects, e.g.
 * `authorization`, `*.authorization` (headers.authorization), `*.*.authorization`
 * (req.headers.authorization), `*.*.*.authorization` (err.config.headers.authorization).
 */
export function pathsForKey(key: string): string[] {
  const last = keyPath(key);
  const paths = [last];
  let prefix = '';
  for (let depth = 1; depth <= NESTING_DEPTH; depth += 1) {
    prefix += '*';
    paths.push(last.startsWith('[') ? `${prefix}${last}` : `${prefix}.${last}`);
    prefix += '.';
  }
  return paths;
}

/** Default redaction paths: every secret header and secret field at every supported depth. */
export function defaultRedactPaths(extraFields: readonly string[] = []): string[] {
  const keys = [...SECRET_HEADERS, ...DEFAULT_SECRET_FIELDS, ...extraFields];
  return [...new Set(keys.flatMap(pathsForKey))];
}
