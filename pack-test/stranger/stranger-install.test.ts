import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PackedPackage, packPublishedPackages } from '../src/pack.js';
import {
  type Diagnostic,
  describeDiagnostics,
  parseDiagnostics,
  type ReadmeExample,
  readPublishedReadmes,
  writeReadmeExamples,
} from '../src/readme-examples.js';
import { type RegistryRecorder, startRegistryRecorder } from '../src/registry-recorder.js';
import { describeResult, type ProcessResult, runProcess, userEnvironment } from '../src/run-process.js';
import { readCatalog, WORKSPACE_ROOT } from '../src/workspace.js';

// pnpm pack of every package, an npm install that fetches the third-party dependencies, tsc three times, the
// README examples run one by one on every Node: minutes on a busy machine, not seconds.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const CONSUMER = join(dirname(fileURLToPath(import.meta.url)), 'consumer');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The Node binaries the installed project runs on: this one, plus any in STRANGER_NODES (PATH-style list). */
const NODES = [
  ...new Set([process.execPath, ...(process.env.STRANGER_NODES ?? '').split(delimiter).filter(Boolean)]),
].map((bin) => ({ bin, version: execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim() }));

const env = userEnvironment(WORKSPACE_ROOT);

/** Read when the file is collected, so that every README block is a test of its own. */
const README_EXAMPLES = readPublishedReadmes();
/** Bound of one README example run: none takes a second on its own; a hung one fails with its output. */
const EXAMPLE_TIME_LIMIT_MS = 120_000;

function okLines(result: ProcessResult): string[] {
  return result.stdout.split('\n').filter((line) => line.startsWith('ok '));
}

function jsonLines(result: ProcessResult): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a project outside the workspace installs the packed tarballs with npm', () => {
  let project = '';
  let packed: PackedPackage[] = [];
  let recorder: RegistryRecorder | undefined;
  let install: ProcessResult | undefined;

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'resilience-stranger-'));
    const vendor = join(project, 'vendor');
    mkdirSync(vendor);
    packed = await packPublishedPackages(vendor);
    const init = await runProcess('npm', ['init', '-y'], { cwd: project, env });
    if (init.code !== 0) throw new Error(describeResult('npm init -y', init));

    // Every @resilience/* lookup goes to a local stand-in that answers 404: nothing about our scope can come
    // from, or be asked of, a real registry. Third-party dependencies come from the registry npm is
    // configured with on this machine.
    recorder = await startRegistryRecorder();
    const catalog = readCatalog();
    install = await runProcess(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `--@resilience:registry=${recorder.url}`,
        // `./` matters: `vendor/x.tgz` would be read as a GitHub shorthand.
        ...packed.map(({ tarball }) => `./vendor/${basename(tarball)}`),
        // What a TypeScript user adds (http-server's types import express's).
        `@types/node@${catalog.get('@types/node')}`,
        `@types/express@${catalog.get('@types/express')}`,
      ],
      { cwd: project, env },
    );
  });

  afterAll(async () => {
    await recorder?.close();
    if (project !== '') rmSync(project, { recursive: true, force: true });
  });

  it('packs every published package', () => {
    expect(packed.map(({ name }) => name)).toEqual([
      '@resilience/circuit-breaker',
      '@resilience/core',
      '@resilience/http-client',
      '@resilience/http-server',
      '@resilience/logging',
      '@resilience/rate-limit',
    ]);
  });

  it('installs each @resilience package once, from its tarball, and downloads none from a registry', () => {
    expect(install?.code, install && describeResult('npm install', install)).toBe(0);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string }>;
    };
    const ours = Object.entries(lock.packages).filter(([path]) => path.includes('@resilience/'));
    // One copy each at the top: the internal dependencies (^0.1.0) are satisfied by the tarballs beside them.
    expect(Object.fromEntries(ours)).toEqual(
      Object.fromEntries(
        packed.map(({ name, version, tarball }) => [
          `node_modules/${name}`,
          expect.objectContaining({ version, resolved: `file:vendor/${basename(tarball)}` }),
        ]),
      ),
    );
    // npm may look a sibling's name up while it builds the tree (a prefetch whose answer it throws away), but
    // it never fetches a tarball of ours.
    expect(recorder?.requests.filter((request) => !/^GET \/@resilience%2f[a-z-]+$/.test(request))).toEqual(
      [],
    );
    // express is http-server's peer dependency: npm installs it without being asked.
    const express = JSON.parse(readFileSync(join(project, 'node_modules/express/package.json'), 'utf8')) as {
      version: string;
    };
    expect(express.version).toMatch(/^5\./);
  });

  it('ships every file its package.json points to (exports, types)', () => {
    const targets = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : value !== null && typeof value === 'object'
          ? Object.values(value).flatMap(targets)
          : [];
    const missing = packed.flatMap(({ name }) => {
      const dir = join(project, 'node_modules', name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      const paths = [...targets(manifest.exports), ...targets(manifest.types), ...targets(manifest.main)];
      expect(paths.length, `${name} points to no file`).toBeGreaterThan(0);
      return paths.filter((path) => !existsSync(join(dir, path))).map((path) => `${name}: ${path}`);
    });
    // TypeScript would not notice a wrong `types` path: it falls back to the .d.ts beside the JavaScript file.
    expect(missing).toEqual([]);
  });

  describe.each(NODES)('on Node $version', ({ bin }) => {
    it.each([
      ['an ES module script (import)', 'esm.mjs', 'stranger-esm'],
      ['a CommonJS script (require)', 'cjs.cjs', 'stranger-cjs'],
    ])('runs %s that uses every package end to end, with nothing on stderr', async (_kind, file, service) => {
      copyFileSync(join(CONSUMER, file), join(project, file));
      const result = await runProcess(bin, [file], { cwd: project, env });
      expect(result.code, describeResult(file, result)).toBe(0);
      // No warning either (an ExperimentalWarning for require(esm) would land here).
      expect(result.stderr).toBe('');
      expect(okLines(result)).toEqual([
        'ok breaker OPEN after 3 failures, next call ERR_CIRCUIT_OPEN',
        `ok http-client 200 after 2 attempts, request id req-${service}`,
        'ok http-server metrics count 1 x 503 and 1 x 200 on /flaky',
        'ok rate-limit 200 then 429 rate_limited with RateLimit headers',
        'ok http-server shut down with exit code 0',
      ]);
      const logs = jsonLines(result);
      expect(logs.every((line) => line.service === service)).toBe(true);
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'info', requestId: `req-${service}`, msg: 'logger writes' }),
      );
      expect(logs).toContainEqual(
        expect.objectContaining({ msg: 'listening', host: '127.0.0.1', port: expect.any(Number) }),
      );
      const completed = logs.filter((line) => line.msg === 'request completed' && line.path === '/flaky');
      expect(completed.map(({ status, requestId }) => ({ status, requestId }))).toEqual([
        { status: 503, requestId: `req-${service}` },
        { status: 200, requestId: `req-${service}` },
      ]);
      expect(logs).toContainEqual(expect.objectContaining({ msg: 'shutdown complete', exitCode: 0 }));
    });
  });

  describe('TypeScript with module nodenext', () => {
    let compile: ProcessResult | undefined;

    beforeAll(async () => {
      // The same source in an ES module folder and in a CommonJS folder; one tsconfig compiles both.
      for (const [folder, type] of [
        ['ts-esm', 'module'],
        ['ts-cjs', 'commonjs'],
      ] as const) {
        mkdirSync(join(project, folder), { recursive: true });
        writeFileSync(join(project, folder, 'package.json'), `${JSON.stringify({ type })}\n`);
        copyFileSync(join(CONSUMER, 'consumer.ts'), join(project, folder, 'index.ts'));
      }
      copyFileSync(join(CONSUMER, 'tsconfig.json'), join(project, 'tsconfig.json'));
      compile = await runProcess(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project, env });
    });

    it('typechecks and compiles an ES module and a CommonJS consumer, library types checked too', () => {
      expect(compile?.code, compile && describeResult('tsc', compile)).toBe(0);
      expect(compile?.stdout).toBe('');
      const esm = readFileSync(join(project, 'ts-esm/index.js'), 'utf8');
      const cjs = readFileSync(join(project, 'ts-cjs/index.js'), 'utf8');
      expect(esm).toContain("from '@resilience/http-client'");
      expect(esm).not.toContain('require("@resilience/');
      expect(cjs).toContain('require("@resilience/http-client")');
    });

    describe.each(NODES)('on Node $version', ({ bin }) => {
      it.each(['ts-esm', 'ts-cjs'])('runs the compiled %s consumer', async (folder) => {
        const result = await runProcess(bin, [join(folder, 'index.js')], { cwd: project, env });
        expect(result.code, describeResult(folder, result)).toBe(0);
        expect(result.stderr).toBe('');
        expect(okLines(result)).toEqual([
          'ok breaker OPEN, next call ERR_CIRCUIT_OPEN',
          'ok http-client 200 after 2 attempts',
          'ok http-client ERR_HTTP_STATUS 404 not retried',
          'ok rate-limit 200 then 429 rate_limited',
          'ok http-server closed',
        ]);
      });
    });
  });

  describe('the README examples, as a user copies them', () => {
    let examples: ReadmeExample[] = [];
    let compile: ProcessResult | undefined;
    let diagnostics: Diagnostic[] = [];
    const dir = (): string => join(project, 'readme');

    beforeAll(async () => {
      examples = writeReadmeExamples(dir(), README_EXAMPLES);
      compile = await runProcess(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir(), env });
      diagnostics = parseDiagnostics(compile.stdout);
    });

    const example = (where: string): ReadmeExample => {
      const found = examples.find((candidate) => candidate.where === where);
      if (!found) throw new Error(`no example written for ${where}`);
      return found;
    };

    it('has a runnable example in the README of every published package', () => {
      const folders = new Set(
        README_EXAMPLES.filter(({ block }) => block.skipReason === undefined).map(({ folder }) => folder),
      );
      // Skips need a reason (the extractor throws on a marker without one), but a README of skips only is not
      // an example.
      expect([...folders].sort()).toEqual(packed.map(({ name }) => name.replace('@resilience/', '')).sort());
    });

    it('leaves no tsc error outside the example files', () => {
      expect(compile, 'tsc did not run').toBeDefined();
      const known = new Set(examples.flatMap(({ files }) => files.map(({ source }) => source)));
      expect(diagnostics.filter(({ file }) => !known.has(file))).toEqual([]);
      // tsc exits non-zero on any error; each one is then reported by the example it belongs to below.
      if (diagnostics.length === 0) expect(compile?.code, compile && describeResult('tsc', compile)).toBe(0);
    });

    const runnable = README_EXAMPLES.filter(({ block }) => block.skipReason === undefined);
    for (const { where, block } of README_EXAMPLES) {
      if (block.skipReason !== undefined) it.skip(`${where} (skipped: ${block.skipReason})`, () => {});
    }

    it.each(runnable.map(({ where }) => where))(
      '%s typechecks with tsc --strict (module nodenext)',
      (where) => {
        expect(describeDiagnostics(example(where), diagnostics)).toEqual([]);
      },
    );

    describe.each(NODES)('on Node $version', ({ bin }) => {
      const runs = runnable.flatMap(({ where, block }) =>
        (block.language === 'ts' ? (['esm', 'cjs'] as const) : (['esm'] as const)).map(
          (variant) => [where, variant] as const,
        ),
      );
      it.each(runs)('%s runs (%s), exits 0 and writes nothing to stderr', async (where, variant) => {
        const file = example(where).files.find((candidate) => candidate.variant === variant);
        expect(file, `${where}: no ${variant} file`).toBeDefined();
        if (!file) return;
        const result = await runProcess(bin, [file.output], {
          cwd: dir(),
          env,
          timeoutMs: EXAMPLE_TIME_LIMIT_MS,
        });
        const label = `${where} (${variant}, ${file.output})`;
        expect(result.code, describeResult(label, result)).toBe(0);
        expect(result.stderr, describeResult(label, result)).toBe('');
      });
    });
  });
});
