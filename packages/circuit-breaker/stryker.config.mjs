import { defineMutationConfig } from '../../stryker.base.mjs';

export default defineMutationConfig({ name: 'circuit-breaker', breakAt: 90 });
