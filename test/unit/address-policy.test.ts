import { describe, expect, it } from 'vitest';
import { addressRefusal, isIpLiteral } from '../../src/scraping/address-policy';

describe('addressRefusal', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'cloud metadata'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:a00:1]', 'private'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::7f00:1', 'loopback'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00::1', '6to4'],
  ])('when the address is %s, then it is refused as %s', (address, reason) => {
    expect(addressRefusal(address)).toContain(reason);
  });

  it.each(['8.8.8.8', '142.250.190.33', '2606:4700::1111', '::ffff:8.8.8.8'])('when the address is public %s, then it is allowed', (address) => {
    expect(addressRefusal(address)).toBeNull();
  });

  it('when the text is not an address, then it is refused', () => {
    expect(addressRefusal('localhost')).toContain('not an IP address');
  });

  it('when a host is an IP literal in URL form, then isIpLiteral says so', () => {
    expect(isIpLiteral('[::1]')).toBe(true);
    expect(isIpLiteral('127.0.0.1')).toBe(true);
    expect(isIpLiteral('guru-guha.blogspot.com')).toBe(false);
  });
});
