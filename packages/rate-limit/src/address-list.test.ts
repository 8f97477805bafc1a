import { describe, expect, it } from 'vitest';
import { createAddressList, describeInvalidAddress, unmapIpv4 } from './address-list.js';

describe('createAddressList', () => {
  it('matches addresses and ranges of both families, IPv4-mapped IPv6 included', () => {
    const list = createAddressList(['10.0.0.0/8', '192.168.1.10', '2001:db8::/32']);
    expect(list.has('10.20.30.40')).toBe(true);
    expect(list.has('::ffff:10.1.1.1')).toBe(true);
    expect(list.has('192.168.1.10')).toBe(true);
    expect(list.has('192.168.1.11')).toBe(false);
    expect(list.has('2001:db8:ffff::1')).toBe(true);
    expect(list.has('2001:db9::1')).toBe(false);
    expect(list.has('not-an-ip')).toBe(false);
  });

  it('is empty without entries', () => {
    expect(createAddressList([]).has('127.0.0.1')).toBe(false);
  });

  it('describes invalid entries and refuses them', () => {
    expect(describeInvalidAddress('10.0.0.0/8')).toBeUndefined();
    expect(describeInvalidAddress('10.0.0.0/33')).toContain('0-32');
    expect(describeInvalidAddress('::/129')).toContain('0-128');
    expect(describeInvalidAddress('example.com')).toContain('not an IP address');
    expect(() => createAddressList(['x'])).toThrow(TypeError);
  });

  it('unmaps IPv4-mapped IPv6 only', () => {
    expect(unmapIpv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIpv4('::1')).toBe('::1');
  });
});
