import { defineMutationConfig } from '../../stryker.base.mjs';

export default defineMutationConfig({ name: 'core', breakAt: 85 });
