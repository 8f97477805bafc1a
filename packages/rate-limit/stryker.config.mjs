import { defineMutationConfig } from '../../stryker.base.mjs';

export default defineMutationConfig({ name: 'rate-limit', breakAt: 85 });
