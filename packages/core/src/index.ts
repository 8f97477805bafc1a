/**
 * Transport-neutral resilience for any async operation.
 *
 * @packageDocumentation
 */
export {
  createHedgePolicy,
  type HedgeCallContext,
  type HedgeCallHooks,
  type HedgedAttempt,
  type HedgePolicy,
  type HedgeRefusal,
  type HedgeStats,
} from './hedge/create-hedge-policy.js';
export { HedgeCancelledError, isHedgeCancelledError } from './hedge/hedge-cancelled-error.js';
export {
  HEDGE_POLICY_DEFAULTS,
  type HedgeClock,
  type HedgePolicyOptions,
  MAX_HEDGE_ATTEMPTS,
  type ResolvedHedgePolicyOptions,
} from './hedge/options.js';
