import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { type ArtilleryConsoleEvent, createArtilleryConsoleParser } from './artillery-console.js';
import type { ProcessRegistry } from './process-group.js';
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
}

export interface ArtilleryRunResult {
  readonly exitCode: number | null;
  readonly report: ArtilleryReport | undefined;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Path of Artillery's CLI entry point, from the installed package. */
export function artilleryBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('artillery/package.json')), 'bin', 'run');
}

/**
 * Runs `artillery run` as its own process group, with telemetry disabled, feeding each console line to the
 * parser and each event to `onEvent`; resolves when Artillery exits.
 */
export async function runArtillery(options: ArtilleryRunOptions): Promise<ArtilleryRunResult> {
  const startedAt = Date.now();
  const args = [
    artilleryBin(),
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
  const child = options.registry.spawn({
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
  const closed = new Promise<void>((resolve) => child.child.once('close', () => resolve()));
  const consoleLog = createWriteStream(options.consoleLogPath);
  const parser = createArtilleryConsoleParser();
  child.child.stderr?.pipe(consoleLog, { end: false });
  const stdout = child.child.stdout;
  const linesDone = new Promise<void>((resolve) => {
    if (stdout === null) {
      resolve();
      return;
    }
    const lines = createInterface({ input: stdout });
    lines.on('line', (line) => {
      consoleLog.write(`${line}\n`);
      for (const event of parser.push(line)) options.onEvent(event, Date.now());
    });
    lines.on('close', () => resolve());
  });
  const exitCode = await child.exited;
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
  return { exitCode, report, startedAt, endedAt };
}
