import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadmeBlock } from './readme-blocks.js';
import {
  describeDiagnostics,
  parseDiagnostics,
  type ReadmeExample,
  readPublishedReadmes,
  writeReadmeExamples,
} from './readme-examples.js';

const block = (fields: Partial<ReadmeBlock> & Pick<ReadmeBlock, 'index' | 'line'>): ReadmeBlock => ({
  language: 'ts',
  code: "import { a } from 'x';\nawait a();\n",
  ...fields,
});

describe('readPublishedReadmes', () => {
  it('names each block by its README, relative to the workspace, and the line of its fence', () => {
    const examples = readPublishedReadmes();
    expect(examples.length).toBeGreaterThan(0);
    for (const { folder, where, block: found } of examples) {
      expect(where).toBe(`packages/${folder}/README.md:${found.line}`);
    }
    // fault-proxy is private: its README is not a user's.
    expect(examples.some(({ folder }) => folder === 'fault-proxy')).toBe(false);
  });
});

describe('writeReadmeExamples', () => {
  let dir = '';
  afterEach(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('writes a ts block as an ES module and as its CommonJS rewrite, a js block once, a skipped one not', () => {
    dir = mkdtempSync(join(tmpdir(), 'readme-examples-'));
    const examples = writeReadmeExamples(dir, [
      { folder: 'pkg', where: 'packages/pkg/README.md:3', block: block({ index: 1, line: 3 }) },
      {
        folder: 'pkg',
        where: 'packages/pkg/README.md:9',
        block: block({ index: 2, line: 9, language: 'js', code: 'console.log(1);\n' }),
      },
      {
        folder: 'pkg',
        where: 'packages/pkg/README.md:20',
        block: block({ index: 3, line: 20, skipReason: 'signatures only' }),
      },
    ]);
    expect(examples.map(({ files }) => files)).toEqual([
      [
        { variant: 'esm', source: 'src/esm/pkg-1.ts', output: 'dist/esm/pkg-1.js' },
        { variant: 'cjs', source: 'src/cjs/pkg-1.ts', output: 'dist/cjs/pkg-1.js' },
      ],
      [{ variant: 'esm', source: 'src/esm/pkg-2.js', output: 'dist/esm/pkg-2.js' }],
      [],
    ]);
    expect(readFileSync(join(dir, 'src/esm/pkg-1.ts'), 'utf8')).toBe("import { a } from 'x';\nawait a();\n");
    expect(readFileSync(join(dir, 'src/cjs/pkg-1.ts'), 'utf8')).toContain('async function main()');
    expect(existsSync(join(dir, 'src/esm/pkg-3.ts'))).toBe(false);
    for (const [folder, type] of [
      ['src/esm', 'module'],
      ['dist/esm', 'module'],
      ['src/cjs', 'commonjs'],
      ['dist/cjs', 'commonjs'],
    ] as const) {
      expect(JSON.parse(readFileSync(join(dir, folder, 'package.json'), 'utf8'))).toEqual({ type });
    }
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, module: 'nodenext', pretty: false });
  });
});

describe('parseDiagnostics', () => {
  it('reads file, line, column and message, with continuation lines, and ignores the rest', () => {
    const output = [
      "src/esm/pkg-1.ts(4,10): error TS2724: '\"x\"' has no exported member named 'b'. Did you mean 'a'?",
      "src/cjs/pkg-1.ts(2,1): error TS2322: Type 'string' is not assignable to type 'number'.",
      '  The expected type comes from this property.',
      '',
      'Found 2 errors in 2 files.',
    ].join('\n');
    expect(parseDiagnostics(output)).toEqual([
      {
        file: 'src/esm/pkg-1.ts',
        line: 4,
        column: 10,
        message: "TS2724: '\"x\"' has no exported member named 'b'. Did you mean 'a'?",
      },
      {
        file: 'src/cjs/pkg-1.ts',
        line: 2,
        column: 1,
        message:
          "TS2322: Type 'string' is not assignable to type 'number'.\n  The expected type comes from this property.",
      },
    ]);
  });
});

describe('describeDiagnostics', () => {
  const example: ReadmeExample = {
    folder: 'pkg',
    where: 'packages/pkg/README.md:30',
    block: block({ index: 1, line: 30 }),
    files: [
      { variant: 'esm', source: 'src/esm/pkg-1.ts', output: 'dist/esm/pkg-1.js' },
      { variant: 'cjs', source: 'src/cjs/pkg-1.ts', output: 'dist/cjs/pkg-1.js' },
    ],
  };

  it('puts an error of the block as written on its README line, and names the file of the CommonJS rewrite', () => {
    expect(
      describeDiagnostics(example, [
        { file: 'src/esm/pkg-1.ts', line: 1, column: 10, message: 'TS2305: no b' },
        { file: 'src/cjs/pkg-1.ts', line: 5, column: 3, message: 'TS2305: no b' },
        { file: 'src/esm/pkg-2.ts', line: 1, column: 1, message: 'TS1005: another block' },
      ]),
    ).toEqual([
      // Line 1 of the code is the line after the fence.
      'packages/pkg/README.md:31:10 TS2305: no b',
      'packages/pkg/README.md:30 (CommonJS rewrite src/cjs/pkg-1.ts:5:3) TS2305: no b',
    ]);
  });
});
