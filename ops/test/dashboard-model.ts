import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DASHBOARD_PATH = join(OPS_DIR, 'grafana', 'dashboards', 'resilience.json');

/** The parts of a Grafana dashboard JSON model the tests read. */
export interface Dashboard {
  readonly uid?: string;
  readonly id?: number | null;
  readonly title?: string;
  readonly schemaVersion?: number;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly TemplateVariable[] };
}

export interface Datasource {
  readonly type?: string;
  readonly uid?: string;
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: Datasource;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly PanelTarget[];
  readonly panels?: readonly Panel[];
}

export interface PanelTarget {
  readonly refId: string;
  readonly expr?: string;
  readonly legendFormat?: string;
  readonly datasource?: Datasource;
}

export interface TemplateVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query?: string };
  readonly definition?: string;
  readonly datasource?: Datasource;
  readonly allValue?: string;
  readonly includeAll?: boolean;
}

/** One query of one panel, as written in the dashboard. */
export interface DashboardQuery {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** The labels the legend names (`{{job}} {{route}}` -> `job`, `route`). */
  readonly legendLabels: readonly string[];
}

export function loadDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Every panel, the panels of collapsed rows included, rows themselves excluded. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => (panel.type === 'row' ? [...(panel.panels ?? [])] : [panel]));
}

/** Every panel target with an `expr`. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).flatMap((target) =>
      target.expr === undefined
        ? []
        : [
            {
              panel: panel.title,
              refId: target.refId,
              expr: target.expr,
              legendLabels: [...(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(
                (m) => m[1] as string,
              ),
            },
          ],
    ),
  );
}

/** The query text of a query variable (Grafana stores a string or `{ query }`). */
export function variableQuery(variable: TemplateVariable): string | undefined {
  return typeof variable.query === 'string' ? variable.query : variable.query?.query;
}

/**
 * Values Grafana's built-in interval variables stand for in the tests: a window that holds several samples at
 * the tests' 1 s scrape interval (Grafana computes `$__rate_interval` as at least four scrape intervals).
 */
const BUILT_IN_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

/**
 * Replaces `$name`, `${name}` and `[[name]]` with a value that matches what "All" matches: `allValue` when
 * given, else the variable's own `allValue`, `.*` when it has none; Grafana's interval variables with a fixed
 * window. The result still holds a `$` only when the dashboard names a variable it does not define.
 */
export function substituteVariables(
  expr: string,
  variables: readonly TemplateVariable[],
  allValue?: string,
): string {
  const values = new Map<string, string>(Object.entries(BUILT_IN_VALUES));
  for (const variable of variables) {
    if (variable.type === 'query' || variable.type === 'custom') {
      values.set(variable.name, allValue ?? variable.allValue ?? '.*');
    }
  }
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (whole, braced?: string, bracketed?: string, bare?: string) =>
      values.get(braced ?? bracketed ?? bare ?? '') ?? whole,
  );
}

const NOT_METRICS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names (recording-rule names included) a PromQL expression selects: every identifier that is not a
 * function, a keyword, a label name in a matcher or a grouping, a duration or part of a number.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const before = stripped[match.index - 1] ?? ' ';
    if (/[0-9.]/.test(before)) continue;
    if (/^\s*\(/.test(stripped.slice(match.index + word.length))) continue;
    if (NOT_METRICS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** `name` without the `_bucket`, `_sum` or `_count` suffix of a histogram or summary series. */
export function histogramBaseName(name: string): string {
  return name.replace(/_(?:bucket|sum|count)$/, '');
}

/** A recording rule's name: `level:metric:operations`, always with a colon (plain metric names have none). */
export function isRecordingRuleName(name: string): boolean {
  return name.includes(':');
}

/** `label_values(selector, label)` taken apart; `undefined` for any other variable query. */
export function parseLabelValues(query: string): { selector: string; label: string } | undefined {
  const match = /^\s*label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)\s*$/s.exec(query);
  if (match === null) return undefined;
  return { selector: match[1] as string, label: match[2] as string };
}
