import type { ArtilleryPeriod } from './artillery-process.js';

/** What an `ensure` check compared: the threshold side and the measured side, in numbers. */
export interface EnsureValues {
  /** e.g. `< 50` or `>= 0.999`. */
  readonly expected: string;
  /** e.g. `12.1` or `0.9985 (http.response_time.2xx.count=1997, http.requests=2000)`. */
  readonly actual: string;
}

const COMPARISON = /^(.*?)\s*(<=|>=|==|!=|<|>)\s*(.*)$/;
const SUMMARY_FIELDS = new Set([
  'count',
  'min',
  'max',
  'mean',
  'median',
  'p50',
  'p75',
  'p90',
  'p95',
  'p99',
  'p999',
]);

/**
 * The value of one Artillery metric in `period`: a counter (`http.requests`, `vusers.failed`) or a summary
 * statistic (`http.response_time.p95`, `http.response_time.2xx.count`); undefined when the run never recorded it
 * (which Artillery's ensure counts as a failed check).
 */
export function metricValue(period: ArtilleryPeriod, name: string): number | undefined {
  const counter = period.counters[name];
  if (counter !== undefined) return counter;
  const dot = name.lastIndexOf('.');
  const field = name.slice(dot + 1);
  if (dot === -1 || !SUMMARY_FIELDS.has(field)) return undefined;
  const summary = period.summaries[name.slice(0, dot)] as
    | Readonly<Record<string, number | undefined>>
    | undefined;
  return summary?.[field];
}

type Token =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'op'; readonly op: string };

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_][\w.-]*\w|[A-Za-z_])|([-+*/()]))/y;
  let index = 0;
  while (index < text.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (match === null) return text.slice(index).trim() === '' ? tokens : undefined;
    const [whole, number, name, op] = match;
    if (number !== undefined) tokens.push({ kind: 'number', value: Number(number) });
    else if (name !== undefined) tokens.push({ kind: 'name', name });
    else if (op !== undefined) tokens.push({ kind: 'op', op });
    index += whole.length;
  }
  return tokens;
}

/** Evaluates `+ - * /` and parentheses over numbers and metric names; undefined when it cannot. */
function evaluate(
  text: string,
  lookup: (name: string) => number | undefined,
  used: Map<string, number>,
): number | undefined {
  const tokens = tokenize(text);
  if (tokens === undefined || tokens.length === 0) return undefined;
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isOp = (token: Token | undefined, ...ops: string[]): boolean =>
    token !== undefined && token.kind === 'op' && ops.includes(token.op);
  const primary = (): number | undefined => {
    const token = tokens[position++];
    if (token === undefined) return undefined;
    if (token.kind === 'number') return token.value;
    if (token.kind === 'name') {
      const value = lookup(token.name);
      if (value !== undefined) used.set(token.name, value);
      return value;
    }
    if (token.op === '(') {
      const value = sum();
      if (!isOp(tokens[position++], ')')) return undefined;
      return value;
    }
    if (token.op === '-') {
      const value = primary();
      return value === undefined ? undefined : -value;
    }
    return undefined;
  };
  const product = (): number | undefined => {
    let value = primary();
    while (value !== undefined && isOp(peek(), '*', '/')) {
      const op = (tokens[position++] as { op: string }).op;
      const right = primary();
      if (right === undefined) return undefined;
      value = op === '*' ? value * right : value / right;
    }
    return value;
  };
  const sum = (): number | undefined => {
    let value = product();
    while (value !== undefined && isOp(peek(), '+', '-')) {
      const op = (tokens[position++] as { op: string }).op;
      const right = product();
      if (right === undefined) return undefined;
      value = op === '+' ? value + right : value - right;
    }
    return value;
  };
  const value = sum();
  return position === tokens.length ? value : undefined;
}

const format = (value: number): string =>
  Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));

/**
 * The two sides of an ensure expression (`http.response_time.p95 < 50`,
 * `http.response_time.2xx.count / http.requests >= 0.999`) with the run's numbers, so a report row says what was
 * measured instead of `true`. Undefined when the expression is not one comparison of arithmetic over metrics.
 */
export function ensureValues(
  expression: string,
  period: ArtilleryPeriod | undefined,
): EnsureValues | undefined {
  const match = COMPARISON.exec(expression.trim());
  if (match === null || period === undefined) return undefined;
  const [, left = '', op = '', right = ''] = match;
  const lookup = (name: string): number | undefined => metricValue(period, name);
  const usedLeft = new Map<string, number>();
  const usedRight = new Map<string, number>();
  const threshold = evaluate(right, lookup, usedRight);
  if (threshold === undefined) return undefined;
  const expected = `${op} ${format(threshold)}`;
  const measured = evaluate(left, lookup, usedLeft);
  if (measured === undefined) {
    const tokens = tokenize(left) ?? [];
    const missing = tokens.flatMap((token) =>
      token.kind === 'name' && lookup(token.name) === undefined ? [token.name] : [],
    );
    return missing.length > 0 ? { expected, actual: `not recorded (${missing.join(', ')})` } : undefined;
  }
  const parts = [...usedLeft].map(([name, value]) => `${name}=${format(value)}`);
  const single = usedLeft.size === 1 && left.trim() === [...usedLeft.keys()][0];
  return {
    expected,
    actual: single || parts.length === 0 ? format(measured) : `${format(measured)} (${parts.join(', ')})`,
  };
}
