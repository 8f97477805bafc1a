import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createAddressList } from './address-list.js';
import { createClientResolver } from './client-identity.js';

const TIER = { minute: 5, hour: 50 };

function requestFrom(remoteAddress: string, apiKey?: string): IncomingMessage {
  return {
    headers: apiKey === undefined ? {} : { 'x-api-key': apiKey },
    socket: { remoteAddress },
  } as unknown as IncomingMessage;
}

describe('createClientResolver', () => {
  const resolver = createClientResolver({
    apiKeys: new Map([['known-key-0001', TIER]]),
    allowlist: createAddressList(['10.0.0.0/8', '2001:db8::1']),
  });

  it('marks every kind of client from an allowlisted address as allowlisted', () => {
    expect(resolver.resolve(requestFrom('10.1.2.3'), '10.1.2.3')).toEqual({
      kind: 'ip',
      key: 'ip:10.1.2.3',
      allowlisted: true,
    });
    expect(resolver.resolve(requestFrom('10.1.2.3', 'guessed-key-0'), '10.1.2.3')).toEqual({
      kind: 'unknown-api-key',
      key: 'ip:10.1.2.3',
      allowlisted: true,
    });
    expect(resolver.resolve(requestFrom('2001:db8::1', 'known-key-0001'), '2001:db8::1')).toEqual({
      kind: 'api-key',
      key: expect.stringMatching(/^key:[0-9a-f]{16}$/),
      tier: TIER,
      allowlisted: true,
    });
  });

  it('marks clients from other addresses as not allowlisted, and keeps one identity per key', () => {
    expect(resolver.resolve(requestFrom('192.0.2.7'), '192.0.2.7').allowlisted).toBe(false);
    expect(resolver.resolve(requestFrom('192.0.2.7', 'guessed-key-0'), '192.0.2.7')).toMatchObject({
      kind: 'unknown-api-key',
      allowlisted: false,
    });
    const outside = resolver.resolve(requestFrom('192.0.2.7', 'known-key-0001'), '192.0.2.7');
    const inside = resolver.resolve(requestFrom('10.0.0.9', 'known-key-0001'), '10.0.0.9');
    expect(outside).toMatchObject({ kind: 'api-key', allowlisted: false });
    expect(inside.key).toBe(outside.key);
    expect(resolver.resolve(requestFrom('192.0.2.8', 'known-key-0001'), '192.0.2.8')).toBe(outside);
  });

  it('falls back to the socket address when no client IP is given', () => {
    expect(resolver.resolve(requestFrom('10.9.9.9'), undefined)).toMatchObject({
      key: 'ip:10.9.9.9',
      allowlisted: true,
    });
  });
});
