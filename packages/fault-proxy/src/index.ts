export type { FaultProxy, FaultProxyOptions, FaultProxyStats } from './create-fault-proxy.js';
export { createFaultProxy } from './create-fault-proxy.js';
export type { FaultProxyFaults } from './faults.js';
export { FAULT_PROXY_DEFAULTS } from './faults.js';
