import { defineMutationConfig } from '../../stryker.base.mjs';

export default defineMutationConfig({ name: 'fault-proxy', breakAt: 85 });
