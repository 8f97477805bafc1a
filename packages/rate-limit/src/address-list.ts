import { BlockList, isIP } from 'node:net';

/** A parsed list of IP addresses and CIDR ranges, IPv4 and IPv6. */
export interface AddressList {
  /** The entries as given (trimmed), e.g. `['10.0.0.0/8', '::1']`. */
  readonly entries: readonly string[];
  /** True when `ip` (IPv4, IPv6 or IPv4-mapped IPv6) is one of the addresses or inside one of the ranges. */
  has(ip: string): boolean;
}

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** `::ffff:10.1.2.3` -> `10.1.2.3`; any other address unchanged. */
export function unmapIpv4(ip: string): string {
  const mapped = IPV4_MAPPED.exec(ip);
  return mapped?.[1] ?? ip;
}

/** Why `entry` is not an IP address or CIDR range, or `undefined` when it is one. */
export function describeInvalidAddress(entry: string): string | undefined {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `"${entry}" is not an IP address`;
  if (slash === -1) return undefined;
  const prefix = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    return `"${entry}" has a prefix length outside 0-${max}`;
  }
  return undefined;
}

/**
 * Builds an `AddressList` from entries already checked with `describeInvalidAddress`.
 * Throws a TypeError naming the first invalid entry otherwise.
 */
export function createAddressList(entries: readonly string[]): AddressList {
  const blockList = new BlockList();
  for (const entry of entries) {
    const problem = describeInvalidAddress(entry);
    if (problem !== undefined) throw new TypeError(`createAddressList: ${problem}`);
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) blockList.addAddress(address, type);
    else blockList.addSubnet(address, Number(prefix), type);
  }
  const frozen = Object.freeze([...entries]);
  return {
    entries: frozen,
    has(ip: string): boolean {
      if (frozen.length === 0) return false;
      const address = unmapIpv4(ip);
      const family = isIP(address);
      if (family === 0) return false;
      return blockList.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
