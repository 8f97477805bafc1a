// Mutation-testing settings every package shares. Each package's stryker.config.mjs calls
// `defineMutationConfig({ name, breakAt })`; `pnpm mutation` (scripts/mutation.mjs) runs them.
//
// The sandbox lives in the repository's own `.stryker-tmp/` (two levels above each package), so the
// `../../vitest.shared.js` import in every vitest.config.ts and the `../../tsconfig.base.json` every tsconfig
// extends still resolve from the sandbox copy. Each run
// deletes only its own `sandbox-*` directory, so packages may run side by side.

/**
 * @param {{ name: string, breakAt: number, mutate?: string[] }} options
 *   name: the package folder under packages/ (the report goes to reports/mutation/<name>/mutation.json);
 *   breakAt: the score under which the run fails (thresholds.break);
 *   mutate: the files to mutate, default every src/**\/*.ts except tests and index.ts.
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function defineMutationConfig({ name, breakAt, mutate }) {
  if (typeof name !== 'string' || !/^[a-z0-9-]+$/.test(name)) {
    throw new TypeError(
      `defineMutationConfig: name must be a package folder name, got ${JSON.stringify(name)}`,
    );
  }
  if (typeof breakAt !== 'number' || !(breakAt >= 0 && breakAt <= 100)) {
    throw new TypeError(
      `defineMutationConfig: breakAt must be a score from 0 to 100, got ${String(breakAt)}`,
    );
  }
  return {
    packageManager: 'pnpm',
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    coverageAnalysis: 'perTest',
    concurrency: 2,
    mutate: mutate ?? ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.test-d.ts', '!src/index.ts'],
    tempDirName: '../../.stryker-tmp',
    // Stryker rewrites the `extends` of its tsconfigFile as if the sandbox sat two levels under the package
    // (`../../tsconfig.base.json` -> `../../../../tsconfig.base.json`). Ours sits two levels under the root, where
    // the original relative paths are already right, so point it at no file and the rewrite does nothing.
    tsconfigFile: '.no-tsconfig-rewrite',
    cleanTempDir: 'always',
    reporters: ['clear-text', 'progress', 'json'],
    jsonReporter: { fileName: `../../reports/mutation/${name}/mutation.json` },
    thresholds: { high: Math.max(breakAt, 90), low: breakAt, break: breakAt },
  };
}
