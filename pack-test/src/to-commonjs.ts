import ts from 'typescript';

/**
 * Rewrites an ES module example for a CommonJS project, the way a CommonJS user writes it: CommonJS has no
 * top-level `await`, so the import declarations stay at the top (TypeScript compiles them to `require()`,
 * which loads our ES modules through Node's `require(esm)`) and every other statement moves into an async
 * `main()`. A rejection of `main()` prints the error and exits 1 at once, as a rejected top-level `await` does in
 * an ES module (a server the example started would otherwise keep the process alive).
 */
export function toCommonJs(code: string, fileName = 'example.ts'): string {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: string[] = [];
  const body: string[] = [];
  for (const statement of source.statements) {
    const text = code.slice(statement.getFullStart(), statement.getEnd());
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement))
      imports.push(text.trim());
    else body.push(text);
  }
  return [
    ...imports,
    '',
    'async function main(): Promise<void> {',
    body.join('').replace(/^\n+/, ''),
    '}',
    '',
    'main().catch((error: unknown) => {',
    '  console.error(error);',
    '  process.exit(1);',
    '});',
    '',
  ].join('\n');
}
