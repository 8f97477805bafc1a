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
 * deadline -> retry (budget, backoff) -> breaker for `key` -> attempt timeout -> `fn`.
 * `fn` gets `{ signal, attempt }` and should stop when `signal` aborts. After the last attempt the last
 * error is rethrown as `fn` threw it (this package's timeout, deadline and abort errors aside).
 */
export function callWithProtection<T>(
  fn: (context: ProtectedCallContext) => Promise<T>,
  options: CallWithProtectionOptions,
): Promise<T> {
  const { protection, ...callOptions } = options ?? ({} as CallWithProtectionOptions);
  if (protection !== undefined) return protection.call(fn, callOptions);
  defaultProtection ??= createProtection();
  return defaultProtection.call(fn, callOptions);
}
