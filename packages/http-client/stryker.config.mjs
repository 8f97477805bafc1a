import { defineMutationConfig } from '../../stryker.base.mjs';

export default defineMutationConfig({
  name: 'http-client',
  breakAt: 90,
  // hooks.ts holds types only.
  mutate: ['src/**/*.ts', '!src/**/*.test.ts', '!src/hooks.ts', '!src/index.ts'],
});
