export type { AddressList } from './address-list.js';
export { createAddressList, describeInvalidAddress } from './address-list.js';
export type { ClientIdentity } from './client-identity.js';
export type { RateLimitMiddleware } from './create-rate-limit.js';
export { createRateLimit } from './create-rate-limit.js';
export {
  isPermissiveTrustProxyError,
  PermissiveTrustProxyError,
} from './errors/permissive-trust-proxy-error.js';
export type { RateLimitErrorCode } from './errors/rate-limit-error.js';
export { isRateLimitError, RateLimitError } from './errors/rate-limit-error.js';
export { isRateLimitStoreError, RateLimitStoreError } from './errors/rate-limit-store-error.js';
export type { MemoryStore, MemoryStoreOptions, MemoryStoreStats } from './memory-store.js';
export { createMemoryStore, DEFAULT_MEMORY_STORE_OPTIONS } from './memory-store.js';
export type {
  ConsumeResult,
  MultiWindowStore,
  RateLimitAlgorithm,
  WindowCount,
  WindowLimit,
} from './multi-window-store.js';
export type {
  ApiKeyTier,
  IdentifyOptions,
  InsuranceEvent,
  RateLimitHooks,
  RateLimitOptions,
  RateLimitWindow,
  RejectEvent,
  ResolvedWindow,
  StoreErrorEvent,
  StoreErrorPolicy,
} from './options.js';
export { DEFAULT_RATE_LIMIT_OPTIONS } from './options.js';
export type {
  RedisMultiWindowStore,
  RedisMultiWindowStoreOptions,
  RedisSendCommand,
} from './redis-multi-window-store.js';
export { createRedisMultiWindowStore } from './redis-multi-window-store.js';
