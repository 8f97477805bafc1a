import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared.js';

// `pnpm test:stranger`: the packed tarballs installed with npm into a project outside the workspace. Kept out of
// `pnpm test` (it needs the registry for third-party dependencies and takes about a minute); CI runs it as a
// step of its own. Its JSON report has its own name so it never overwrites the `pnpm test` one.
export default defineConfig({
  test: {
    ...sharedTestConfig,
    include: ['stranger/**/*.test.ts'],
    reporters: [
      'default',
      ['json', { outputFile: process.env.VITEST_JSON_REPORT ?? '.vitest/results-stranger.json' }],
    ],
  },
});
