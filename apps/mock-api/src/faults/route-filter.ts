/**
 * Which requests a fault profile applies to. Each entry is `[METHOD ]path`, e.g. `/api/orders`,
 * `POST /api/orders` or `/api/items/:id`. Paths match by whole segments as a prefix: `/api/items` matches
 * `/api/items` and `/api/items/7` but not `/api/itemsX`; a `:name` segment matches any one segment.
 * Without a method, every method matches.
 */
export interface RouteFilter {
  readonly entries: readonly string[];
  matches(method: string, path: string): boolean;
}

interface Pattern {
  readonly method: string | undefined;
  readonly segments: readonly string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** Why `entry` is not a valid route filter entry, or `undefined` when it is. */
export function describeInvalidRoute(entry: unknown): string | undefined {
  if (typeof entry !== 'string' || entry.length === 0 || entry.length > 200) {
    return 'each routes entry must be a string of 1-200 characters';
  }
  const parts = entry.trim().split(/\s+/);
  const path = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length > 2 || (parts.length === 2 && !METHODS.includes(parts[0]?.toUpperCase() ?? ''))) {
    return `routes entry "${entry}" must be "path" or "METHOD path" (METHOD one of ${METHODS.join(', ')})`;
  }
  if (path === undefined || !path.startsWith('/'))
    return `routes entry "${entry}" must have a path starting with /`;
  return undefined;
}

export function createRouteFilter(entries: readonly string[]): RouteFilter {
  const patterns: Pattern[] = entries.map((entry) => {
    const problem = describeInvalidRoute(entry);
    if (problem !== undefined) throw new TypeError(`createRouteFilter: ${problem}`);
    const parts = entry.trim().split(/\s+/);
    const [first = '', second] = parts;
    return second === undefined
      ? { method: undefined, segments: splitPath(first) }
      : { method: first.toUpperCase(), segments: splitPath(second) };
  });
  return {
    entries: Object.freeze([...entries]),
    matches(method, path) {
      const actual = splitPath(path);
      return patterns.some(
        (pattern) =>
          (pattern.method === undefined || pattern.method === method) &&
          pattern.segments.length <= actual.length &&
          pattern.segments.every((segment, index) => segment.startsWith(':') || segment === actual[index]),
      );
    },
  };
}
