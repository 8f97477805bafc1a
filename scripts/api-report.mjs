#!/usr/bin/env node
// API reports of the published packages (packages/* without "private": true), with API Extractor.
// Root `pnpm api:check`, `pnpm api:update` and `pnpm docs:api` run this file after building the packages.
//
//   node scripts/api-report.mjs            compare each package's public API (from its built dist/index.d.ts)
//                                          with the committed packages/<name>/api/<name>.api.md; exit 1 on any
//                                          difference or warning (API Extractor's CI mode)
//   node scripts/api-report.mjs --local    write the reports instead (API Extractor's local mode); commit the diff
//   node scripts/api-report.mjs --docs     write only the doc models (reports/api-extractor/model/*.api.json)
//                                          and turn them into the API reference in reports/api/ (API Documenter)
//
// Settings: api-extractor.base.json (shared, with the reasons for each choice) and tsdoc.json (the @default tag);
// each package has an api-extractor.json and a tsdoc.json that extend them. Temporary output goes to
// reports/api-extractor/ (git-ignored).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');
const modelDir = join(root, 'reports', 'api-extractor', 'model');
const docsDir = join(root, 'reports', 'api');

const out = (text) => process.stdout.write(`${text}\n`);
const err = (text) => process.stderr.write(`${text}\n`);

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const unknown = args.filter((arg) => arg !== '--local' && arg !== '--docs');
if (unknown.length > 0 || args.length > 1) {
  err(`api-report: unexpected arguments: ${args.join(' ')}`);
  err('usage: node scripts/api-report.mjs [--local | --docs]');
  process.exit(2);
}
const mode = args[0] === '--local' ? 'update' : args[0] === '--docs' ? 'docs' : 'check';

// The analysis runs on API Extractor's bundled compiler (TypeScript 6.0.3 in 7.60.1), not the workspace's 5.9: it only
// reads the .d.ts files 5.9 wrote, an older syntax it fully understands, and the reports came out byte for byte the
// same under both. Pass `typescriptCompilerFolder` to Extractor.invoke if the workspace ever moves past the bundled
// version (the run fails when API Extractor notices that the project's TypeScript is newer).
const bundledTypescript = createRequire(
  createRequire(import.meta.url).resolve('@microsoft/api-extractor'),
).resolve('typescript/package.json');

/** Published packages: every packages/* whose package.json is not private. */
function publishedPackages() {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      return { dir, folder: entry.name, name: manifest.name, private: manifest.private === true };
    })
    .filter((pkg) => !pkg.private)
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

function run(pkg) {
  const configPath = join(pkg.dir, 'api-extractor.json');
  const problems = [];
  if (!existsSync(configPath))
    problems.push(`${relative(root, configPath)} is missing (every published package has one)`);
  if (!existsSync(join(pkg.dir, 'dist', 'index.d.ts')))
    problems.push('dist/index.d.ts is missing: run pnpm build');
  if (problems.length > 0) return { ok: false, problems };

  const configObject = ExtractorConfig.loadFile(configPath);
  if (mode === 'docs') configObject.apiReport = { ...configObject.apiReport, enabled: false };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: configPath,
    packageJsonFullPath: join(pkg.dir, 'package.json'),
  });
  if (mode === 'update') mkdirSync(dirname(config.reportFilePath), { recursive: true });

  // Warnings and errors other than the report comparison itself, which is reported below in this script's words.
  let findings = 0;
  const result = Extractor.invoke(config, {
    localBuild: mode === 'update',
    printApiReportDiff: true,
    messageCallback: (message) => {
      switch (message.messageId) {
        // API Extractor's own advice names a temp path and "a local build"; ours names the command.
        case 'console-api-report-not-copied':
        // "Analysis will use the bundled TypeScript": printed once for the whole run instead of once per package.
        case 'console-preamble':
          message.handled = true;
          return;
        // The workspace's TypeScript is newer than the bundled one: an info message in API Extractor, a failure here.
        case 'console-compiler-version-notice':
          findings += 1;
          return;
        case 'console-api-report-diff':
        case 'console-api-report-copied':
        case 'console-api-report-created':
          return;
        default:
          if (message.logLevel === 'error' || message.logLevel === 'warning') findings += 1;
      }
    },
  });
  if (findings > 0) problems.push(`${findings} warning(s) or error(s) above`);
  if (mode === 'check' && result.apiReportChanged) {
    const committed = relative(root, config.reportFilePath);
    problems.push(`the public API differs from ${committed} (diff above); run pnpm api:update and commit it`);
  }
  return { ok: result.succeeded && problems.length === 0, problems, config };
}

/**
 * API Documenter renders `@defaultValue`, the TSDoc standard tag. The sources use `@default` (the house style, what
 * editors and TypeDoc show), declared as a block tag in tsdoc.json; renaming it in the doc model lets the reference
 * show the defaults too.
 */
function useDefaultValueTag(file) {
  const rename = (item) => {
    if (typeof item.docComment === 'string') {
      item.docComment = item.docComment.replace(/@default(?![A-Za-z])/g, '@defaultValue');
    }
    for (const member of item.members ?? []) rename(member);
  };
  const model = JSON.parse(readFileSync(file, 'utf8'));
  rename(model);
  writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
}

const started = performance.now();
const packages = publishedPackages();
if (mode === 'docs') rmSync(modelDir, { recursive: true, force: true });
out(
  `api-report (${mode}): ${packages.map((pkg) => pkg.name).join(', ')} with TypeScript ${
    JSON.parse(readFileSync(bundledTypescript, 'utf8')).version
  }`,
);
let failed = 0;
for (const pkg of packages) {
  const { ok, problems, config } = run(pkg);
  if (ok) {
    const what =
      mode === 'docs' ? relative(root, config.apiJsonFilePath) : relative(root, config.reportFilePath);
    out(`  ok   ${pkg.name}  ${what}`);
    if (mode === 'docs') useDefaultValueTag(config.apiJsonFilePath);
  } else {
    failed += 1;
    for (const problem of problems) err(`  FAIL ${pkg.name}: ${problem}`);
  }
}
if (failed === 0 && mode === 'docs') {
  rmSync(docsDir, { recursive: true, force: true });
  const documenter = join(root, 'node_modules', '.bin', 'api-documenter');
  const docs = spawnSync(documenter, ['markdown', '--input-folder', modelDir, '--output-folder', docsDir], {
    stdio: 'inherit',
  });
  if (docs.status !== 0) failed += 1;
  else out(`API reference: ${relative(root, join(docsDir, 'index.md'))}`);
}
out(
  `api-report (${mode}): ${packages.length - failed} of ${packages.length} ok in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(failed === 0 ? 0 : 1);
