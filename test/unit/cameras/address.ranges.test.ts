import { describe, expect, it } from 'vitest';
import { DEFAULT_DENIED_RANGES, normaliseRangeLists, parseRange, RangePolicy } from '../../../server/shared/address.ranges.js';

describe('address ranges', () => {
  it('parses IPv4 and IPv6 ranges and single addresses into canonical text', () => {
    expect(parseRange('127.0.0.1/8').text).toBe('127.0.0.0/8');
    expect(parseRange('fe80::1/10').text).toBe('fe80::/10');
    expect(parseRange('::1').text).toBe('::1/128');
    expect(parseRange(' 192.168.1.5 ').text).toBe('192.168.1.5/32');
    expect(parseRange('2001:DB8:0:0:1::/64').text).toBe('2001:db8::/64');
    expect(parseRange('1:0:0:4:0:0:0:8').text).toBe('1:0:0:4::8/128');
    expect(parseRange('::ffff:10.0.0.0/104').text).toBe('::ffff:a00:0/104');
  });

  it('refuses what is not a range, saying why', () => {
    expect(() => parseRange('camera.local')).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => parseRange('1.2.3.4/33')).toThrow(/longer than an IPv4 address/);
    expect(() => parseRange('::1/129')).toThrow(/longer than an IPv6 address/);
    expect(() => parseRange('1.2.3.4/x')).toThrow(/not a prefix length/);
    expect(() => parseRange('1.2.3')).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => parseRange('')).toThrow(/not an address range/);
    expect(() => normaliseRangeLists({ allow: ['10.0.0.0/8', 'x'], deny: [] })).toThrow(/^allow\.1: /);
    expect(normaliseRangeLists({ allow: ['10.1.2.3/8', '10.0.0.0/8'], deny: [] }).allow).toEqual(['10.0.0.0/8']);
  });

  it('denies loopback, this-host and link-local by default, in every spelling, and allows the rest', () => {
    const p = new RangePolicy({ allow: [], deny: [...DEFAULT_DENIED_RANGES] });
    for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::1]', '169.254.169.254', 'fe80::1%eth0', '0.0.0.0', '::']) {
      expect(p.decide(a).allowed, a).toBe(false);
    }
    for (const a of ['192.168.1.64', '10.0.0.1', '2001:db8::1', '100.64.0.1']) expect(p.decide(a), a).toEqual({ allowed: true, range: null });
    expect(p.decide('not-an-ip').allowed).toBe(false);
  });

  it('lets the most specific range decide, allow winning at equal width', () => {
    const loopbackAllowed = new RangePolicy({ allow: ['127.0.0.0/8'], deny: [...DEFAULT_DENIED_RANGES] });
    expect(loopbackAllowed.decide('127.0.0.1')).toEqual({ allowed: true, range: '127.0.0.0/8' });
    expect(loopbackAllowed.decide('::1').allowed).toBe(false);
    const onlyLan = new RangePolicy({ allow: ['192.168.1.0/24'], deny: ['0.0.0.0/0', '::/0'] });
    expect(onlyLan.decide('192.168.1.9').allowed).toBe(true);
    expect(onlyLan.decide('::ffff:192.168.1.9').allowed).toBe(true);
    expect(onlyLan.decide('10.1.1.1')).toEqual({ allowed: false, range: '0.0.0.0/0' });
    expect(onlyLan.decide('fe80::1').allowed).toBe(false);
    const hole = new RangePolicy({ allow: ['10.0.0.0/8'], deny: ['10.0.0.5/32'] });
    expect(hole.decide('10.0.0.5').allowed).toBe(false);
    expect(hole.decide('10.0.0.6').allowed).toBe(true);
  });
});
