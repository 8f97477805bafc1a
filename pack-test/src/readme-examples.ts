import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractReadmeBlocks, type ReadmeBlock } from './readme-blocks.js';
import { toCommonJs } from './to-commonjs.js';
import { publishedPackages, WORKSPACE_ROOT } from './workspace.js';

/** How an example is run: as written (an ES module), or rewritten for a CommonJS project. */
export type ExampleVariant = 'esm' | 'cjs';

/** One file written for a README block. */
export interface ExampleFile {
  readonly variant: ExampleVariant;
  /** Source path, relative to the examples folder (`src/esm/http-client-1.ts`). */
  readonly source: string;
  /** The JavaScript tsc emits for it, relative to the examples folder (`dist/esm/http-client-1.js`). */
  readonly output: string;
}

/** A code block of a published package's README, with where it came from. */
export interface ReadmeExample {
  /** Folder name of the package (`http-client`). */
  readonly folder: string;
  /** `packages/http-client/README.md:35`: the README, relative to the workspace, and the fence's line. */
  readonly where: string;
  readonly block: ReadmeBlock;
  /** Empty for a skipped block. A `js` block is run as an ES module only. */
  readonly files: readonly ExampleFile[];
}

/** The ts and js blocks of the README of every published package, in package order, then README order. */
export function readPublishedReadmes(): Omit<ReadmeExample, 'files'>[] {
  return publishedPackages().flatMap(({ folder, dir }) => {
    const path = join(dir, 'README.md');
    const readme = relative(WORKSPACE_ROOT, path);
    return extractReadmeBlocks(readFileSync(path, 'utf8'), readme).map((block) => ({
      folder,
      where: `${readme}:${block.line}`,
      block,
    }));
  });
}

/**
 * The tsconfig of the examples: what a user's strict TypeScript project with `module: nodenext` has, and
 * library types checked too. `src/esm` and `src/cjs` each carry a package.json with their `type`, so one
 * compilation checks and emits both kinds.
 */
export const EXAMPLES_TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    strict: true,
    types: ['node'],
    esModuleInterop: true,
    skipLibCheck: false,
    allowJs: true,
    checkJs: true,
    rootDir: 'src',
    outDir: 'dist',
    pretty: false,
  },
  include: ['src'],
};

/**
 * Writes every runnable block into `dir` (a folder inside the project that has the packages installed): each
 * block as `src/esm/<package>-<n>.<ts|js>`, and each TypeScript block also rewritten for CommonJS
 * (`toCommonJs`) as `src/cjs/<package>-<n>.ts`, plus the tsconfig and the package.json files. Skipped blocks
 * get no file.
 */
export function writeReadmeExamples(dir: string, blocks = readPublishedReadmes()): ReadmeExample[] {
  for (const variant of ['esm', 'cjs'] as const) {
    const type = variant === 'esm' ? 'module' : 'commonjs';
    for (const folder of ['src', 'dist']) {
      mkdirSync(join(dir, folder, variant), { recursive: true });
      writeFileSync(join(dir, folder, variant, 'package.json'), `${JSON.stringify({ type })}\n`);
    }
  }
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(EXAMPLES_TSCONFIG, null, 2)}\n`);
  return blocks.map((example) => {
    const { folder, block } = example;
    if (block.skipReason !== undefined) return { ...example, files: [] };
    const name = `${folder}-${block.index}`;
    const variants: [ExampleVariant, string][] = [['esm', block.code]];
    if (block.language === 'ts') variants.push(['cjs', toCommonJs(block.code, `${name}.ts`)]);
    const files = variants.map(([variant, code]): ExampleFile => {
      const source = `src/${variant}/${name}.${block.language}`;
      writeFileSync(join(dir, source), code);
      return { variant, source, output: `dist/${variant}/${name}.js` };
    });
    return { ...example, files };
  });
}

/** One error of `tsc --pretty false` output. */
export interface Diagnostic {
  /** As tsc prints it, relative to the tsconfig's folder. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `TS2305: Module '…' has no exported member '…'.`, with any continuation lines. */
  readonly message: string;
}

/** Parses `tsc --pretty false` output: `file(line,col): error TSnnnn: text`, continuation lines indented. */
export function parseDiagnostics(output: string): Diagnostic[] {
  const diagnostics: { file: string; line: number; column: number; message: string }[] = [];
  for (const text of output.split('\n')) {
    const match = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(text);
    if (match) {
      const [, file = '', line = '0', column = '0', message = ''] = match;
      diagnostics.push({ file, line: Number(line), column: Number(column), message });
    } else if (/^\s/.test(text) && text.trim() !== '') {
      const last = diagnostics.at(-1);
      if (last) last.message += `\n${text}`;
    }
  }
  return diagnostics;
}

/**
 * The diagnostics of one example, one per line, each located in the README where the code is as written
 * there (`packages/x/README.md:40:7 TS2305: …`); those of the CommonJS rewrite name its file and line instead
 * (the rewrite moves the code). Empty when the example typechecks.
 */
export function describeDiagnostics(example: ReadmeExample, diagnostics: readonly Diagnostic[]): string[] {
  const [readme = ''] = example.where.split(':');
  return example.files.flatMap(({ variant, source }) =>
    diagnostics
      .filter(({ file }) => file === source)
      .map(({ line, column, message }) =>
        variant === 'esm'
          ? `${readme}:${example.block.line + line}:${column} ${message}`
          : `${example.where} (CommonJS rewrite ${source}:${line}:${column}) ${message}`,
      ),
  );
}
