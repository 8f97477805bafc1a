#!/usr/bin/env node
// `pnpm test:stress [-- --runs N] [--hogs N]`: runs the whole test suite (`pnpm test --force`, with CI=true so
// the Redis-backed tests cannot skip) N times in a row while CPU hogs keep every core busy, prints one line per
// run and a final "N passed, N failed", and exits 1 if any run failed. The hogs are child processes of this
// script and are stopped on every way out: success, failure, an exception, Ctrl-C or SIGTERM.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStressArgs, STRESS_USAGE, StressUsageError, summarizeRuns } from './test-stress-lib.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** Packages whose vitest writes `.vitest/results.json` (see vitest.shared.ts). */
const PACKAGE_DIRS = [
  'apps/consumer',
  'apps/mock-api',
  'bench',
  'load',
  ...(await listDirs('packages')),
  ...(await listDirs('examples')),
];

async function listDirs(parent) {
  const { readdir } = await import('node:fs/promises');
  const entries = await readdir(join(root, parent), { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => `${parent}/${entry.name}`);
}

/** Children to stop on the way out. */
const children = new Set();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function stopChildren(signal = 'SIGKILL') {
  for (const child of children) {
    try {
      // Each child leads its own process group (detached): the signal reaches everything it started.
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function startHogs(count) {
  for (let index = 0; index < count; index += 1) {
    track(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true }));
  }
}

function formatDuration(ms) {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Failed tests from each package's vitest JSON report; a package without a report is listed as such. */
async function failuresOf() {
  const failures = [];
  for (const dir of PACKAGE_DIRS) {
    let report;
    try {
      report = JSON.parse(await readFile(join(root, dir, '.vitest', 'results.json'), 'utf8'));
    } catch {
      failures.push({ package: dir, test: '(no vitest report: the run did not finish)' });
      continue;
    }
    for (const file of report.testResults ?? []) {
      const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
      for (const test of failed) {
        failures.push({ package: dir, test: `${relative(join(root, dir), file.name)} > ${test.fullName}` });
      }
      if (failed.length === 0 && file.status === 'failed') {
        failures.push({
          package: dir,
          test: `${relative(join(root, dir), file.name)} (${file.message ?? 'failed'})`,
        });
      }
    }
  }
  return failures;
}

async function runSuite(logPath) {
  for (const dir of PACKAGE_DIRS) await rm(join(root, dir, '.vitest', 'results.json'), { force: true });
  const log = createWriteStream(logPath);
  const env = {
    ...process.env,
    CI: 'true',
    TURBO_TELEMETRY_DISABLED: '1',
    ARTILLERY_DISABLE_TELEMETRY: 'true',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  // Each package writes its default report, which failuresOf() reads.
  delete env.VITEST_JSON_REPORT;
  const child = track(
    spawn('pnpm', ['test', '--force'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    }),
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const code = await new Promise((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  await new Promise((resolve) => log.end(resolve));
  return code;
}

async function main() {
  const options = parseStressArgs(process.argv.slice(2), availableParallelism());
  if (options.help) {
    process.stdout.write(STRESS_USAGE);
    return 0;
  }
  const logDir = await mkdtemp(join(tmpdir(), 'test-stress-'));
  process.stdout.write(
    `test:stress: ${options.runs} run(s) of \`pnpm test --force\` with ${options.hogs} CPU hog(s) on ${availableParallelism()} CPUs; logs in ${logDir}\n`,
  );
  startHogs(options.hogs);
  const runs = [];
  for (let index = 0; index < options.runs; index += 1) {
    const logPath = join(logDir, `run-${index + 1}.log`);
    const started = Date.now();
    const code = await runSuite(logPath);
    const durationMs = Date.now() - started;
    const failures = code === 0 ? [] : await failuresOf();
    const run = {
      index: index + 1,
      passed: code === 0,
      durationMs,
      load: loadavg()[0] ?? 0,
      failures,
      logPath,
    };
    runs.push(run);
    const status = run.passed ? 'PASS' : `FAIL (exit ${code}, log ${logPath})`;
    const where = failures.map((failure) => `\n    ${failure.package}: ${failure.test}`).join('');
    process.stdout.write(
      `run ${run.index}/${options.runs}: ${status} in ${formatDuration(durationMs)}, 1-min load ${run.load.toFixed(1)}${where}\n`,
    );
  }
  stopChildren();
  const summary = summarizeRuns(runs);
  process.stdout.write(`${summary.line}\n`);
  return summary.failed === 0 ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    stopChildren();
    process.stdout.write(`\ntest:stress: ${signal}, stopped the suite and the CPU hogs\n`);
    process.exit(130);
  });
}
process.once('exit', () => stopChildren());

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    stopChildren();
    if (error instanceof StressUsageError) {
      process.stderr.write(`${error.message}\n\n${STRESS_USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`test:stress: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
