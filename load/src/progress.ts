import { type IntermediateMetrics, non2xxShare } from './artillery-console.js';

/** Where the runner reports what it is doing while it runs. */
export interface Progress {
  scenarioStarted(name: string, position: number, total: number): void;
  /** A one-off event: services ready, a fault switched, a scenario result. */
  note(message: string): void;
  phaseStarted(phase: { readonly index: number; readonly name: string; readonly durationSec: number }): void;
  intermediate(metrics: IntermediateMetrics): void;
  scenarioFinished(): void;
  /** Stops the ticker. */
  close(): void;
}

export interface ProgressOptions {
  /** Usually `process.stderr`. */
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Status line interval. @default 5000 */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export const PROGRESS_DEFAULTS = { intervalMs: 5_000 } as const;

function clock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Prints a status line (scenario, phase, elapsed, latest p95/p99 and non-2xx share from Artillery's
 * intermediate report) every `intervalMs` and whenever a phase starts. On a terminal the line is redrawn in
 * place; elsewhere (CI logs) each status is its own line.
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? PROGRESS_DEFAULTS.intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new TypeError(`createProgress: intervalMs must be a positive number of ms, got ${intervalMs}`);
  }
  const interactive = options.stream.isTTY === true;
  let scenario: { name: string; position: number; total: number; startedAt: number } | undefined;
  let phase: { index: number; name: string; durationSec: number; startedAt: number } | undefined;
  let latest: IntermediateMetrics | undefined;
  let lineOpen = false;
  let timer: NodeJS.Timeout | undefined;

  function write(text: string, status: boolean): void {
    if (interactive) {
      options.stream.write(`\r\u001b[2K${text}${status ? '' : '\n'}`);
      lineOpen = status;
    } else {
      options.stream.write(`${text}\n`);
    }
  }

  function statusLine(): string {
    if (scenario === undefined) return '';
    const parts = [`[${scenario.position}/${scenario.total} ${scenario.name}]`];
    if (phase !== undefined) {
      // Past its planned length a phase is only finishing (its last virtual users are still running, or the next
      // phase's line is on its way): say so instead of showing an elapsed time beyond the length.
      const inPhaseMs = now() - phase.startedAt;
      const lengthMs = phase.durationSec * 1000;
      const over = Math.floor((inPhaseMs - lengthMs) / 1000);
      parts.push(
        inPhaseMs <= lengthMs || over < 1
          ? `phase ${phase.index + 1} ${phase.name} ${clock(Math.min(inPhaseMs, lengthMs))}/${clock(lengthMs)}`
          : `phase ${phase.index + 1} ${phase.name} ${clock(lengthMs)}/${clock(lengthMs)} finishing (+${over} s)`,
      );
    } else {
      parts.push('starting');
    }
    parts.push(`elapsed ${clock(now() - scenario.startedAt)}`);
    if (latest !== undefined) {
      const share = non2xxShare(latest);
      parts.push(
        `p95 ${latest.p95 ?? '-'} ms`,
        `p99 ${latest.p99 ?? '-'} ms`,
        `non-2xx ${share === undefined ? '-' : `${(share * 100).toFixed(1)} %`}`,
        `${latest.requests} req/10s`,
      );
      const errors = Object.entries(latest.errors);
      if (errors.length > 0)
        parts.push(`errors ${errors.map(([code, count]) => `${code}=${count}`).join(' ')}`);
    }
    return parts.join(' | ');
  }

  function tick(): void {
    if (scenario !== undefined) write(statusLine(), true);
  }

  return {
    scenarioStarted(name, position, total) {
      scenario = { name, position, total, startedAt: now() };
      phase = undefined;
      latest = undefined;
      write(`== ${name} (${position}/${total})`, false);
      clearInterval(timer);
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    note(message) {
      write(`   ${message}`, false);
    },
    phaseStarted(started) {
      phase = { ...started, startedAt: now() };
      tick();
    },
    intermediate(metrics) {
      latest = metrics;
    },
    scenarioFinished() {
      clearInterval(timer);
      timer = undefined;
      if (lineOpen) options.stream.write('\n');
      lineOpen = false;
      scenario = undefined;
    },
    close() {
      clearInterval(timer);
      timer = undefined;
      if (lineOpen) options.stream.write('\n');
      lineOpen = false;
    },
  };
}
