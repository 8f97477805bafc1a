#!/usr/bin/env node
// Mutation testing (Stryker) for the packages under packages/. Root `pnpm mutation` runs this file.
//
//   pnpm mutation                          every package (each must have a stryker.config.{mjs,json,js,cjs})
//   pnpm mutation -- logging http-server   only these (folder name or package name: @resilience/logging)
//   pnpm mutation -- --incremental         reuse earlier results for mutants whose code and tests did not change;
//                                          the incremental file lives outside the repository, in
//                                          ${XDG_CACHE_HOME:-~/.cache}/resilience-toolkit/stryker/<package>.json
//   pnpm mutation -- logging --mutate src/redact-line.ts
//                                          mutate only these files (one package; passed on to Stryker as is).
//                                          Partial runs are reported but never fail on the threshold.
//
// Each package's report goes to reports/mutation/<package>/mutation.json. The final table lists each package's
// score and its break threshold; the exit code is 1 if any package is under its threshold or its run did not
// produce a report, 2 on a usage error.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');
const strykerBin = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const CONFIG_FILES = ['stryker.config.mjs', 'stryker.config.json', 'stryker.config.js', 'stryker.config.cjs'];

const out = (text) => process.stdout.write(`${text}\n`);
const err = (text) => process.stderr.write(`${text}\n`);

function usage(message) {
  err(`mutation: ${message}`);
  err('usage: pnpm mutation [-- [--incremental] [package ...] [--mutate <glob>[,<glob>...]]]');
  process.exit(2);
}

function parseArgs(argv) {
  const names = [];
  let incremental = false;
  let mutate;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--incremental') incremental = true;
    else if (arg === '--mutate' || arg === '-m') {
      mutate = argv[i + 1];
      if (mutate === undefined || mutate.startsWith('-')) usage(`${arg} needs a file or glob`);
      i += 1;
    } else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else names.push(arg);
  }
  return { names, incremental, mutate };
}

function listPackages() {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const configFile = CONFIG_FILES.find((file) => existsSync(join(dir, file)));
      return { folder: entry.name, name, dir, configFile };
    })
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

async function loadConfig(pkg) {
  const file = join(pkg.dir, pkg.configFile);
  if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8'));
  const module = await import(`file://${file}`);
  return module.default;
}

function incrementalFile(folder) {
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'resilience-toolkit', 'stryker', `${folder}.json`);
}

function runStryker(pkg, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [strykerBin, 'run', pkg.configFile, ...args], {
      cwd: pkg.dir,
      stdio: 'inherit',
    });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(signal ? 128 : (code ?? 1));
    });
  });
}

/** Stryker's mutation score: detected (killed, timeout) over valid (detected, survived, no coverage). */
function scoreOf(report) {
  let detected = 0;
  let valid = 0;
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status === 'Killed' || mutant.status === 'Timeout') {
        detected += 1;
        valid += 1;
      } else if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') valid += 1;
    }
  }
  return { score: valid === 0 ? 100 : (detected / valid) * 100, detected, valid };
}

function formatSeconds(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

async function main() {
  const { names, incremental, mutate } = parseArgs(process.argv.slice(2));
  const all = listPackages();
  let chosen = all;
  if (names.length > 0) {
    chosen = names.map((wanted) => {
      const pkg = all.find((p) => p.folder === wanted || p.name === wanted);
      if (!pkg) usage(`no package ${wanted} under packages/ (have: ${all.map((p) => p.folder).join(', ')})`);
      return pkg;
    });
  }
  if (mutate !== undefined && chosen.length !== 1) usage('--mutate needs exactly one package');

  const rows = [];
  for (const pkg of chosen) {
    const row = { folder: pkg.folder, score: undefined, breakAt: undefined, note: '', failed: true };
    rows.push(row);
    if (!pkg.configFile) {
      row.note = `no stryker config (${CONFIG_FILES[0]} or ${CONFIG_FILES[1]})`;
      continue;
    }
    const config = await loadConfig(pkg);
    const reportFile = join(pkg.dir, config.jsonReporter?.fileName ?? 'reports/mutation/mutation.json');
    const expected = join(root, 'reports', 'mutation', pkg.folder, 'mutation.json');
    if (reportFile !== expected) {
      err(`mutation: ${pkg.folder}: jsonReporter.fileName should be ${relative(pkg.dir, expected)}`);
    }
    const args = [];
    if (incremental) args.push('--incremental', '--incrementalFile', incrementalFile(pkg.folder));
    if (mutate !== undefined) args.push('--mutate', mutate);

    out(`\n==> mutation testing ${pkg.name}${incremental ? ' (incremental)' : ''}`);
    const started = Date.now();
    const code = await runStryker(pkg, args);
    row.time = formatSeconds(Date.now() - started);
    if (code === 128) {
      row.note = 'interrupted';
      break;
    }
    if (!existsSync(reportFile) || statSync(reportFile).mtimeMs < started) {
      row.note = `Stryker exited ${code} without a report`;
      continue;
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const { score, detected, valid } = scoreOf(report);
    row.score = score;
    row.breakAt = report.thresholds?.break ?? config.thresholds?.break ?? null;
    row.note = `${detected}/${valid} mutants detected`;
    if (mutate !== undefined) {
      row.note += ` (partial: --mutate ${mutate}; not checked)`;
      row.failed = false;
    } else if (row.breakAt === null || row.breakAt === undefined) {
      row.note += '; no thresholds.break set';
    } else {
      row.failed = score < row.breakAt;
    }
  }

  out('\nmutation score by package');
  const header = ['package', 'score', 'break', 'time', ''];
  const lines = rows.map((r) => [
    r.folder,
    r.score === undefined ? '-' : `${r.score.toFixed(2)} %`,
    r.breakAt === undefined || r.breakAt === null ? '-' : `${r.breakAt} %`,
    r.time ?? '-',
    `${r.failed ? 'FAIL' : 'ok'}  ${r.note}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const line of [header, ...lines])
    out(
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  const failed = rows.filter((r) => r.failed);
  if (failed.length > 0) {
    err(`\nmutation: ${failed.map((r) => r.folder).join(', ')} under the break threshold or not run`);
    process.exit(1);
  }
}

await main();
