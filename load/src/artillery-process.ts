import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { type ArtilleryConsoleEvent, createArtilleryConsoleParser } from './artillery-console.js';
import { createArtilleryDeadline, type Schedule } from './artillery-deadline.js';
import type { GroupProcess, ProcessRegistry } from './process-group.js';
import { childEnv } from './service.js';

/** Artillery's `--output` JSON: the aggregate and the 10-second intermediate reports. */
export interface ArtilleryReport {
  readonly aggregate: ArtilleryPeriod;
  readonly intermediate: readonly ArtilleryPeriod[];
}

export interface ArtillerySummary {
  readonly count?: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly max?: number;
}

export interface ArtilleryPeriod {
  readonly counters: Readonly<Record<string, number>>;
  readonly summaries: Readonly<Record<string, ArtillerySummary>>;
  readonly period?: string | number;
}

export interface ArtilleryRunOptions {
  readonly registry: ProcessRegistry;
  readonly scriptPath: string;
  /** Artillery environment (`-e`): `full` or `smoke`. */
  readonly environment: string;
  readonly target: string;
  /** Scenario variables (`-v`). */
  readonly variables: Readonly<Record<string, string | number>>;
  readonly outputPath: string;
  /** Where the console output is kept. */
  readonly consoleLogPath: string;
  /** Prefix of the processor's request log files. */
  readonly requestLogPrefix: string;
  /** Extra environment for Artillery (and the processor). */
  readonly env?: Readonly<Record<string, string>>;
  readonly onEvent: (event: ArtilleryConsoleEvent, at: number) => void;
  /**
   * How long Artillery may run past the planned end of the phase it last started (or past its start, before
   * the first phase) before it is killed, with its whole process group. @default 60000
   */
  readonly timeoutMarginMs?: number;
  /** Artillery's CLI entry point, run with this Node. @default the installed package's `bin/run` */
  readonly bin?: string;
  /** Schedules the kill timer (tests pass a manual one). @default an `unref()`ed `setTimeout` */
  readonly schedule?: Schedule;
}

export interface ArtilleryRunResult {
  readonly exitCode: number | null;
  readonly report: ArtilleryReport | undefined;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Why Artillery was killed for running too long; `undefined` when it finished by itself. */
  readonly timedOut: string | undefined;
}

/** Default of `timeoutMarginMs`: a stuck Artillery is killed a minute after its phases should have ended. */
export const ARTILLERY_TIMEOUT_MARGIN_MS = 60_000;

/** Grace between SIGTERM and SIGKILL when a timed-out Artillery is stopped. */
const TIMEOUT_KILL_GRACE_MS = 2_000;

/** Path of Artillery's CLI entry point, from the installed package. */
export function artilleryBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('artillery/package.json')), 'bin', 'run');
}

/**
 * Runs `artillery run` as its own process group, with telemetry disabled, feeding each console line to the
 * parser and each event to `onEvent`; resolves when Artillery exits. A run that outlasts its planned phases
 * by `timeoutMarginMs` is killed, so a stuck Artillery cannot hang the runner.
 */
export async function runArtillery(options: ArtilleryRunOptions): Promise<ArtilleryRunResult> {
  const startedAt = Date.now();
  const args = [
    options.bin ?? artilleryBin(),
    'run',
    '--environment',
    options.environment,
    '--target',
    options.target,
    '--variables',
    JSON.stringify(options.variables),
    '--output',
    options.outputPath,
    options.scriptPath,
  ];
  // The deadline (which also validates the margin) exists before Artillery does: a bad margin starts nothing.
  // It moves at each phase start to the phase's planned end plus the margin.
  let timedOut: string | undefined;
  let child: GroupProcess | undefined;
  const deadline = createArtilleryDeadline({
    marginMs: options.timeoutMarginMs ?? ARTILLERY_TIMEOUT_MARGIN_MS,
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    onTimeout: (reason) => {
      timedOut = reason;
      void child?.stop(TIMEOUT_KILL_GRACE_MS);
    },
  });
  try {
    child = options.registry.spawn({
      name: 'artillery',
      command: process.execPath,
      args,
      env: childEnv({
        ...options.env,
        ARTILLERY_DISABLE_TELEMETRY: 'true',
        LOAD_REQUEST_LOG: options.requestLogPrefix,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      }),
    });
  } catch (error) {
    deadline.clear();
    throw error;
  }
  const artillery: GroupProcess = child;
  const closed = new Promise<void>((resolve) => artillery.child.once('close', () => resolve()));
  const consoleLog = createWriteStream(options.consoleLogPath);
  const parser = createArtilleryConsoleParser();
  artillery.child.stderr?.pipe(consoleLog, { end: false });
  const stdout = artillery.child.stdout;
  const linesDone = new Promise<void>((resolve) => {
    if (stdout === null) {
      resolve();
      return;
    }
    const lines = createInterface({ input: stdout });
    lines.on('line', (line) => {
      consoleLog.write(`${line}\n`);
      for (const event of parser.push(line)) {
        if (event.type === 'phase-started') deadline.phaseStarted(event);
        options.onEvent(event, Date.now());
      }
    });
    lines.on('close', () => resolve());
  });
  const exitCode = await artillery.exited;
  deadline.clear();
  await Promise.all([linesDone, closed]);
  for (const event of parser.end()) options.onEvent(event, Date.now());
  await new Promise<void>((resolve) => consoleLog.end(resolve));
  const endedAt = Date.now();

  let report: ArtilleryReport | undefined;
  try {
    report = JSON.parse(await readFile(options.outputPath, 'utf8')) as ArtilleryReport;
  } catch {
    report = undefined;
  }
  return { exitCode, report, startedAt, endedAt, timedOut };
}
