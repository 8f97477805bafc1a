import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';
import type { AddressList } from './address-list.js';
import type { ApiKeyTier } from './options.js';

/**
 * Who a request counts against.
 * - `ip`: the client address (IPv6 grouped by the configured prefix, /56 by default);
 * - `api-key`: a known API key, limited per key at its tier;
 * - `unknown-api-key`: a key nobody issued: counted against the client address (so keys cannot be guessed
 *   without limit), then answered 401.
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
    /** The client a request counts against, set by `@resilience/rate-limit` before it counts. */
    rateLimitClient?: ClientIdentity;
  }
}

export interface ClientResolver {
  /** `ip` is the client address as the framework resolved it (Express `req.ip`); the socket's when undefined. */
  resolve(req: IncomingMessage, ip: string | undefined): ClientIdentity;
}

export interface ClientResolverOptions {
  readonly apiKeys: ReadonlyMap<string, ApiKeyTier>;
  readonly allowlist: AddressList;
  /** @default 'x-api-key' */
  readonly apiKeyHeader?: string;
  /** @default 'reject' */
  readonly unknownApiKey?: 'reject' | 'ignore';
  /** @default 56 */
  readonly ipv6Subnet?: number | false;
}

/**
 * Builds the resolver from the known API keys and the allowlist. Keys never appear in store keys: each becomes
 * `key:` + the first 16 hex characters of its SHA-256.
 */
export function createClientResolver(options: ClientResolverOptions): ClientResolver {
  const { apiKeys, allowlist } = options;
  const header = options.apiKeyHeader ?? 'x-api-key';
  const rejectUnknown = (options.unknownApiKey ?? 'reject') === 'reject';
  const subnet = options.ipv6Subnet ?? 56;
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
  const addressKey = (address: string): string => `ip:${ipKeyGenerator(address, subnet)}`;
  return {
    resolve(req, ip) {
      const address = ip ?? req.socket.remoteAddress ?? 'unknown';
      const allowlisted = checkAllowlist && allowlist.has(address);
      const value = req.headers[header];
      if (value !== undefined) {
        const known = typeof value === 'string' ? byKey.get(value) : undefined;
        if (known !== undefined) return allowlisted ? known.allowlisted : known.limited;
        if (rejectUnknown) return { kind: 'unknown-api-key', key: addressKey(address), allowlisted };
      }
      return { kind: 'ip', key: addressKey(address), allowlisted };
    },
  };
}
