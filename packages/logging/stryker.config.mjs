import { defineMutationConfig } from '../../stryker.base.mjs';

export default defineMutationConfig({ name: 'logging', breakAt: 90 });
