import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ApiKeyTier } from '../config.js';
import type { AddressList } from '../network/address-list.js';

/**
 * Who a request counts against.
 * - `ip`: the client address (IPv6 grouped by /56);
 * - `api-key`: a known `X-API-Key`, limited per key at its tier;
 * - `unknown-api-key`: an `X-API-Key` nobody issued: counted against the client address (so keys cannot be
 *   guessed without limit), then answered 401.
 *
 * `allowlisted` (any kind): the client address is on the allowlist, and the request is never limited nor
 * counted. An unknown key from such an address is still answered 401.
 */
export type ClientIdentity =
  | { readonly kind: 'ip'; readonly key: string; readonly allowlisted: boolean }
  | {
      readonly kind: 'api-key';
      readonly key: string;
      readonly tier: ApiKeyTier;
      readonly allowlisted: boolean;
    }
  | { readonly kind: 'unknown-api-key'; readonly key: string; readonly allowlisted: boolean };

declare module 'http' {
  interface IncomingMessage {
    /** Set by the client-identity middleware on `/api` requests. */
    rateLimitClient?: ClientIdentity;
  }
}

export const API_KEY_HEADER = 'x-api-key';
/** IPv6 clients are grouped by this prefix length: one household or small network = one client. */
export const IPV6_SUBNET = 56;

export interface ClientResolver {
  resolve(req: IncomingMessage, ip: string | undefined): ClientIdentity;
}

/**
 * Builds the resolver from the configured API keys and allowlist. Keys never appear in store keys:
 * each becomes `key:` + the first 16 hex characters of its SHA-256.
 */
export function createClientResolver(
  apiKeys: ReadonlyMap<string, ApiKeyTier>,
  allowlist: AddressList,
): ClientResolver {
  type KnownKey = Extract<ClientIdentity, { kind: 'api-key' }>;
  // Both identities of each key are built once: the request path allocates nothing for a known key.
  const byKey = new Map<string, { readonly limited: KnownKey; readonly allowlisted: KnownKey }>();
  for (const [apiKey, tier] of apiKeys) {
    const digest = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
    const identity = { kind: 'api-key', key: `key:${digest}`, tier } as const;
    byKey.set(apiKey, {
      limited: Object.freeze({ ...identity, allowlisted: false }),
      allowlisted: Object.freeze({ ...identity, allowlisted: true }),
    });
  }
  const checkAllowlist = allowlist.entries.length > 0;
  return {
    resolve(req, ip) {
      const address = ip ?? req.socket.remoteAddress ?? 'unknown';
      const allowlisted = checkAllowlist && allowlist.has(address);
      const header = req.headers[API_KEY_HEADER];
      if (header !== undefined) {
        const known = typeof header === 'string' ? byKey.get(header) : undefined;
        if (known !== undefined) return allowlisted ? known.allowlisted : known.limited;
        return {
          kind: 'unknown-api-key',
          key: `ip:${ipKeyGenerator(address, IPV6_SUBNET)}`,
          allowlisted,
        };
      }
      return { kind: 'ip', key: `ip:${ipKeyGenerator(address, IPV6_SUBNET)}`, allowlisted };
    },
  };
}
