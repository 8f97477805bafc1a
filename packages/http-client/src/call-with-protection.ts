import {
  createProtection,
  type ProtectedCallContext,
  type ProtectedCallOptions,
  type Protection,
} from './protection.js';

export interface CallWithProtectionOptions extends ProtectedCallOptions {
  /**
   * The policy to run under: `client.protection` (shares the client's breakers, retry budget, logger and
   * hooks) or one from `createProtection(options)`.
   * @default a process-wide protection with the default options, created on first use
   */
  readonly protection?: Protection | undefined;
}

let defaultProtection: Protection | undefined;

/**
 * Runs any async function under the same retry + breaker + deadline policy as the HTTP client:
 * `deadline -> retry (budget, backoff) -> breaker for key -> attempt timeout -> fn`.
 * `fn` gets `{ signal, attempt }` and should stop when `signal` aborts. After the last attempt the last
 * error is rethrown as `fn` threw it (this package's timeout, deadline and abort errors aside).
 */
export function callWithProtection<T>(
  fn: (context: ProtectedCallContext) => Promise<T>,
  options: CallWithProtectionOptions,
): Promise<T> {
  // A bad `options` goes on to protection.call, which rejects it with a TypeError naming what it got.
  const given = typeof options === 'object' && options !== null ? options.protection : undefined;
  if (given !== undefined) return given.call(fn, options);
  defaultProtection ??= createProtection();
  return defaultProtection.call(fn, options);
}
