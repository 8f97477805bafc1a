import { AsyncLocalStorage } from 'node:async_hooks';
import { isValidRequestId } from './request-id.js';

// The store is the request id itself: one allocation less per request than a context object.
const storage = new AsyncLocalStorage<string>();

/**
 * Runs `fn` inside a request context: until `fn` and everything it starts (awaits, promise
 * chains, timers, I/O callbacks) finish, `getRequestId()` returns
 * `requestId` and every logger from `createLogger` adds `requestId` to its lines.
 * Returns what `fn` returns. Throws a TypeError if `requestId` is not a valid request id.
 */
export function runWithRequestContext<T>(requestId: string, fn: () => T): T {
  if (!isValidRequestId(requestId)) {
    throw new TypeError('runWithRequestContext: requestId must be 1-128 characters of [A-Za-z0-9._:-]');
  }
  if (typeof fn !== 'function') {
    throw new TypeError('runWithRequestContext: fn must be a function');
  }
  return storage.run(requestId, fn);
}

/** `runWithRequestContext` for an id the caller has already validated (the middleware's hot path). */
export function enterRequestContext(requestId: string, fn: () => void): void {
  storage.run(requestId, fn);
}

/** The id of the request being handled, or `undefined` outside any request context. */
export function getRequestId(): string | undefined {
  return storage.getStore();
}
