import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ApiKeyTier } from '../config.js';
import type { AddressList } from '../network/address-list.js';

/**
 * Who a request counts against.
 * - `ip`: the client address (IPv6 grouped by /56), or `allowlisted` and never limited;
 * - `api-key`: a known `X-API-Key`, limited per key at its tier;
 * - `unknown-api-key`: an `X-API-Key` nobody issued: counted against the client address (so keys cannot be
 *   guessed without limit), then answered 401.
 */
export type ClientIdentity =
  | { readonly kind: 'ip'; readonly key: string; readonly allowlisted: boolean }
  | { readonly kind: 'api-key'; readonly key: string; readonly tier: ApiKeyTier }
  | { readonly kind: 'unknown-api-key'; readonly key: string };

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
  const byKey = new Map<
    string,
    { readonly kind: 'api-key'; readonly key: string; readonly tier: ApiKeyTier }
  >();
  for (const [apiKey, tier] of apiKeys) {
    const digest = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
    byKey.set(apiKey, Object.freeze({ kind: 'api-key', key: `key:${digest}`, tier }));
  }
  return {
    resolve(req, ip) {
      const address = ip ?? req.socket.remoteAddress ?? 'unknown';
      const header = req.headers[API_KEY_HEADER];
      if (header !== undefined) {
        const known = typeof header === 'string' ? byKey.get(header) : undefined;
        if (known !== undefined) return known;
        return { kind: 'unknown-api-key', key: `ip:${ipKeyGenerator(address, IPV6_SUBNET)}` };
      }
      return {
        kind: 'ip',
        key: `ip:${ipKeyGenerator(address, IPV6_SUBNET)}`,
        allowlisted: allowlist.has(address),
      };
    },
  };
}
