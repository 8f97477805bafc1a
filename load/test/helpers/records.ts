import type { RequestRecord } from '../../src/request-log.js';

/** A request record: a 1 ms GET answered 200, with the given fields changed. */
export function request(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return { type: 'request', t: 0, ms: 1, name: 'things', method: 'GET', status: 200, vu: 'v1', ...overrides };
}
