import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const PROCESSOR_SOURCE = fileURLToPath(new URL('../../src/artillery/request-log.mts', import.meta.url));

/**
 * Transpiles the Artillery processor into `directory` (the built one may not exist when tests run) and returns
 * its path, ending in `.mjs` as Artillery needs.
 */
export async function transpileProcessor(directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const source = await readFile(PROCESSOR_SOURCE, 'utf8');
  const output = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const path = join(directory, 'request-log.mjs');
  await writeFile(path, output.outputText);
  return path;
}

export interface FixtureOptions {
  readonly processorPath: string;
  /** Lines under `ensure:` (YAML, indented by the caller's intent: they are placed at 6 spaces). */
  readonly ensure: readonly string[];
  /** `expect:` entries for the request; none = no expect plugin. */
  readonly expectStatus?: number;
}

/** Writes a one-phase (`only`, 1 s, 4 arrivals/s) scenario against the stand-in server; returns its path. */
export async function writeFixtureScenario(
  directory: string,
  name: string,
  options: FixtureOptions,
): Promise<string> {
  const expectPlugin = options.expectStatus === undefined ? '' : '    expect:\n      outputFormat: silent\n';
  const expectBlock =
    options.expectStatus === undefined
      ? ''
      : `          expect:\n            - statusCode: ${options.expectStatus}\n`;
  const yaml = `config:
  processor: ${JSON.stringify(options.processorPath)}
  environments:
    smoke:
      phases:
        - name: only
          duration: 1
          arrivalRate: 4
  plugins:
    metrics-by-endpoint:
      useOnlyRequestNames: true
${expectPlugin}    ensure:
${options.ensure.map((line) => `      ${line}`).join('\n')}
scenarios:
  - beforeScenario: sessionStart
    afterScenario: sessionEnd
    beforeRequest: stampRequest
    afterResponse: logResponse
    onError: logError
    flow:
      - get:
          url: /things
          name: things
${expectBlock}`;
  const path = join(directory, `${name}.yml`);
  await writeFile(path, yaml);
  return path;
}
