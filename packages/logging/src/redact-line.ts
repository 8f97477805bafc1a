/** Header names whose values never reach a log line (matched case-insensitively, so `Authorization` too). */
export const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
] as const;

/** Field names whose values never reach a log line (matched case-insensitively). */
export const SECRET_FIELDS = ['password', 'token', 'secret', 'apiKey'] as const;

/** What a redacted value becomes, as JSON. */
const CENSOR_JSON = '"[Redacted]"';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Index just past the JSON string that starts (with its opening quote) at `start`. */
function endOfString(json: string, start: number): number {
  let i = start + 1;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i += 1;
  }
  return json.length;
}

/** Index just past the JSON value (string, number, literal, object or array) that starts at `start`. */
function endOfValue(json: string, start: number): number {
  const first = json.charCodeAt(start);
  if (first === QUOTE) return endOfString(json, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    let i = start;
    while (i < json.length) {
      const c = json.charCodeAt(i);
      if (c === QUOTE) {
        i = endOfString(json, i);
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
    return json.length;
  }
  let i = start;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET) return i;
    i += 1;
  }
  return json.length;
}

/**
 * Builds a function that replaces, in one serialized JSON log line, the value of every property
 * whose name is one of `keys` (case-insensitive), at any depth: top level, `headers.x`,
 * `req.headers.x`, `err.config.headers.x`, bindings of child loggers, serialized errors.
 * Strings, numbers, arrays (`set-cookie`) and objects are all replaced by `"[Redacted]"`.
 *
 * It works on the finished line because pino's path-based redaction with wildcards runs on every
 * key of every line and cost about as much as the rest of the line's formatting. A key is only
 * recognised where JSON syntax puts a property name (after `{` or `,`); text inside string values
 * is escaped and cannot match.
 */
export function createLineRedactor(keys: readonly string[]): (line: string) => string {
  // Stryker disable next-line MethodExpression: the pattern is case-insensitive; lower-casing only dedupes names
  const names = [...new Set(keys.map((k) => k.toLowerCase()))].map(escapeRegExp);
  const property = new RegExp(`[{,]"(?:${names.join('|')})":`, 'gi');
  return function redactLine(line: string): string {
    property.lastIndex = 0;
    let match = property.exec(line);
    if (match === null) return line;
    let out = '';
    let copied = 0;
    while (match !== null) {
      const valueStart = match.index + match[0].length;
      const valueEnd = endOfValue(line, valueStart);
      out += line.slice(copied, valueStart) + CENSOR_JSON;
      copied = valueEnd;
      property.lastIndex = valueEnd;
      match = property.exec(line);
    }
    return out + line.slice(copied);
  };
}
