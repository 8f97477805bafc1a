export type { MockApi, MockApiDeps } from './app.js';
export { createApp } from './app.js';
export type {
  ApiKeyTier,
  FaultsConfig,
  LogLevel,
  MockApiConfig,
  MockApiEnv,
  RateLimitConfig,
  RedisConfig,
  StoreErrorPolicy,
  TrustProxySetting,
} from './config.js';
export { CONFIG_DEFAULTS, loadConfig } from './config.js';
export { ConfigError, isConfigError } from './errors/config-error.js';
export { isMockApiError, MockApiError } from './errors/mock-api-error.js';
export type { FaultState } from './faults/fault-injector.js';
export type { ErrorStatus, FaultKind, FaultProfile } from './faults/fault-profile.js';
export { FAULT_KINDS, parseFaultProfile } from './faults/fault-profile.js';
export type { Item } from './items/items.js';
export { generateItems } from './items/items.js';
export { createMemoryOrderStore } from './orders/memory-order-store.js';
export type { KeyedOrder, Order, OrderStore, SaveOnceOutcome } from './orders/order-store.js';
export type { RedisClientLike } from './redis/redis-connection.js';
