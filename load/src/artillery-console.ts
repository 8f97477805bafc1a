/** What the runner learns from Artillery's console output, line by line. */
export type ArtilleryConsoleEvent =
  | {
      readonly type: 'phase-started';
      readonly index: number;
      readonly name: string;
      readonly durationSec: number;
    }
  | { readonly type: 'phase-completed'; readonly index: number; readonly name: string }
  | { readonly type: 'intermediate'; readonly metrics: IntermediateMetrics }
  | { readonly type: 'check'; readonly ok: boolean; readonly expression: string; readonly optional: boolean };

/** The figures the progress line shows, from one of Artillery's 10-second intermediate reports. */
export interface IntermediateMetrics {
  readonly requests: number;
  /** Responses by status code. */
  readonly codes: Readonly<Record<string, number>>;
  /** Requests that failed without a response, by error code. */
  readonly errors: Readonly<Record<string, number>>;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
}

export interface ArtilleryConsoleParser {
  /** Feeds one line (without its newline); returns the events it completes. */
  push(line: string): ArtilleryConsoleEvent[];
  /** Ends the input; returns what was still pending. */
  end(): ArtilleryConsoleEvent[];
}

const PHASE_STARTED = /^Phase started: (.+) \(index: (\d+), duration: (\d+(?:\.\d+)?)s\)/;
const PHASE_COMPLETED = /^Phase completed: (.+) \(index: (\d+),/;
const METRIC = /^(\s*)([^\s:][^:]*):\s*\.*\s*([\d.]+)(?:\/sec)?\s*$/;
const SECTION = /^([^\s:][^:]*):\s*$/;
const CHECK = /^(ok|fail): (.+?)( \(optional\))?$/;
// Colour codes, in case Artillery decides the output is a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes is the point.
const ANSI = /\u001b\[[0-9;]*m/g;

interface Block {
  metricLines: number;
  requests: number;
  codes: Record<string, number>;
  errors: Record<string, number>;
  p95: number | undefined;
  p99: number | undefined;
}

function emptyBlock(): Block {
  return { metricLines: 0, requests: 0, codes: {}, errors: {}, p95: undefined, p99: undefined };
}

/**
 * Parses Artillery 2's console reporter output: phase start/end lines, the intermediate report blocks
 * ("Metrics for period to: ...") and the `ensure` plugin's `ok:`/`fail:` lines after `Checks:`.
 */
export function createArtilleryConsoleParser(): ArtilleryConsoleParser {
  let block: Block | undefined;
  let section: string | undefined;
  let inChecks = false;

  function flush(): ArtilleryConsoleEvent[] {
    if (block === undefined) return [];
    const done = block;
    block = undefined;
    section = undefined;
    const { metricLines: _lines, ...metrics } = done;
    return [{ type: 'intermediate', metrics }];
  }

  return {
    push(raw) {
      const line = raw.replace(ANSI, '').replace(/\r$/, '');
      const events: ArtilleryConsoleEvent[] = [];

      const started = PHASE_STARTED.exec(line);
      if (started) {
        events.push(...flush());
        events.push({
          type: 'phase-started',
          name: started[1] ?? '',
          index: Number(started[2]),
          durationSec: Number(started[3]),
        });
        return events;
      }
      const completed = PHASE_COMPLETED.exec(line);
      if (completed) {
        events.push(...flush());
        events.push({ type: 'phase-completed', name: completed[1] ?? '', index: Number(completed[2]) });
        return events;
      }
      if (line.startsWith('Metrics for period to:')) {
        events.push(...flush());
        block = emptyBlock();
        return events;
      }
      if (line.startsWith('Summary report @') || line.startsWith('All VUs finished')) {
        events.push(...flush());
        return events;
      }
      if (line.trim() === 'Checks:') {
        events.push(...flush());
        inChecks = true;
        return events;
      }
      if (inChecks) {
        const check = CHECK.exec(line.trim());
        if (check) {
          events.push({
            type: 'check',
            ok: check[1] === 'ok',
            expression: check[2] ?? '',
            optional: check[3] !== undefined,
          });
        }
        return events;
      }
      if (block === undefined) return events;
      // A blank line after the metrics ends the block (the one right after the header does not).
      if (line.trim() === '') {
        if (block.metricLines > 0) events.push(...flush());
        return events;
      }

      const sectionMatch = SECTION.exec(line);
      if (sectionMatch) {
        section = sectionMatch[1];
        return events;
      }
      const metric = METRIC.exec(line);
      if (!metric) return events;
      block.metricLines += 1;
      const indented = (metric[1] ?? '').length > 0;
      const name = metric[2] ?? '';
      const value = Number(metric[3]);
      if (indented) {
        if (section === 'http.response_time' && name === 'p95') block.p95 = value;
        if (section === 'http.response_time' && name === 'p99') block.p99 = value;
        return events;
      }
      section = undefined;
      if (name === 'http.requests') block.requests = value;
      else if (name.startsWith('http.codes.')) block.codes[name.slice('http.codes.'.length)] = value;
      else if (name.startsWith('errors.')) block.errors[name.slice('errors.'.length)] = value;
      return events;
    },
    end() {
      return flush();
    },
  };
}

/** Share of requests in an intermediate report that got no 2xx (0-1); `undefined` with no requests. */
export function non2xxShare(metrics: IntermediateMetrics): number | undefined {
  if (metrics.requests === 0) return undefined;
  const ok = Object.entries(metrics.codes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return Math.max(0, 1 - ok / metrics.requests);
}
