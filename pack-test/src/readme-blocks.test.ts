import { describe, expect, it } from 'vitest';
import { extractReadmeBlocks } from './readme-blocks.js';
import { toCommonJs } from './to-commonjs.js';

const fence = '```';

describe('extractReadmeBlocks', () => {
  it('returns ts and js blocks with their line, and leaves other languages out', () => {
    const md = [
      '# title',
      `${fence}ts`,
      'const a = 1;',
      fence,
      `${fence}sh`,
      'pnpm test',
      fence,
      `${fence}javascript`,
      'console.log(2);',
      fence,
    ].join('\n');
    expect(extractReadmeBlocks(md)).toEqual([
      { index: 1, line: 2, language: 'ts', code: 'const a = 1;\n' },
      { index: 2, line: 8, language: 'js', code: 'console.log(2);\n' },
    ]);
  });

  it('marks a block skipped when the marker above it gives a reason', () => {
    const md = [
      '<!-- readme-test: skip reason="signatures only" -->',
      '',
      `${fence}ts`,
      'f(x): y',
      fence,
    ].join('\n');
    expect(extractReadmeBlocks(md)[0]?.skipReason).toBe('signatures only');
  });

  it('rejects a skip marker without a reason', () => {
    const md = ['<!-- readme-test: skip -->', `${fence}ts`, 'x', fence].join('\n');
    expect(() => extractReadmeBlocks(md, 'X.md')).toThrow('X.md:1: a readme-test marker must read');
  });

  it('rejects a marker that is not followed by a code block', () => {
    const md = ['<!-- readme-test: skip reason="r" -->', 'some prose', `${fence}ts`, 'x', fence].join('\n');
    expect(() => extractReadmeBlocks(md)).toThrow('must be followed by a code block');
  });

  it('rejects a block that is never closed', () => {
    expect(() => extractReadmeBlocks(`${fence}ts\nconst a = 1;\n`)).toThrow(
      'README.md:1: code block is never closed',
    );
  });
});

describe('toCommonJs', () => {
  it('keeps the imports on top, moves the rest, top-level await included, into main(), and exits 1 when it rejects', () => {
    const out = toCommonJs("import { a } from 'x';\nimport b from 'y';\n\nconst v = await a();\nb(v);\n");
    expect(out).toBe(
      [
        "import { a } from 'x';",
        "import b from 'y';",
        '',
        'async function main(): Promise<void> {',
        'const v = await a();',
        'b(v);',
        '}',
        '',
        'main().catch((error: unknown) => {',
        '  console.error(error);',
        '  process.exit(1);',
        '});',
        '',
      ].join('\n'),
    );
  });
});
