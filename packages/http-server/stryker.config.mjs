import { defineMutationConfig } from '../../stryker.base.mjs';

export default defineMutationConfig({ name: 'http-server', breakAt: 85 });
