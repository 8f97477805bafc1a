import type { ViteUserConfig } from 'vitest/config';

/**
 * Test settings every package shares. Each package's vitest.config.ts spreads this.
 * The JSON report (`.vitest/results.json`, or the path in VITEST_JSON_REPORT) is what `.ci/run` totals into its
 * summary line.
 */
export const sharedTestConfig: ViteUserConfig['test'] = {
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  exclude: ['**/node_modules/**', '**/dist/**', '**/.stryker-tmp/**'],
  reporters: ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT ?? '.vitest/results.json' }]],
  testTimeout: 20_000,
  hookTimeout: 20_000,
  restoreMocks: true,
  // A test that asserts nothing fails: it could not catch the bug it is named after.
  expect: { requireAssertions: true },
  unstubEnvs: true,
};
