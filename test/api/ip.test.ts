import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, formatCidrNetwork, formatIp, parseCidr, parseIp } from '../../src/api/index.js';

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', 4, 0n],
    ['10.0.0.1', 4, 0x0a000001n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['fe80:0:0:0:0:0:0:1', 6, 0xfe800000000000000000000000000001n],
    ['::ffff:10.0.0.1', 4, 0x0a000001n],
    ['64:ff9b::192.0.2.33', 6, 0x0064ff9b0000000000000000c0000221n],
  ])('reads %s', (text, family, value) => {
    expect(parseIp(text)).toStrictEqual({ family, value });
  });

  it.each(['', '10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4.5', 'a.b.c.d', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '::ffff:10.0.0.256', '1:2:3:4:5:6:7::8'])(
    'rejects %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe('parseCidr and friends', () => {
  it('reads a subnet, keeping the written address and the network address', () => {
    expect(parseCidr('10.0.1.7/24')).toStrictEqual({ family: 4, address: 0x0a000107n, network: 0x0a000100n, prefix: 24 });
    expect(parseCidr('fd00::/8')).toMatchObject({ family: 6, prefix: 8 });
  });

  it.each(['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/08', 'fd00::/129', 'x/8'])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('tests containment across the prefix boundary', () => {
    const net = parseCidr('10.0.1.0/24')!;
    expect(cidrContains(net, parseIp('10.0.1.0')!)).toBe(true);
    expect(cidrContains(net, parseIp('10.0.1.255')!)).toBe(true);
    expect(cidrContains(net, parseIp('10.0.2.0')!)).toBe(false);
    expect(cidrContains(net, parseIp('fd00::1')!)).toBe(false);
    expect(cidrContains(parseCidr('::ffff:0:0/96')!, parseIp('1.2.3.4')!)).toBe(true);
  });

  it('detects overlapping subnets', () => {
    expect(cidrsOverlap(parseCidr('10.0.0.0/16')!, parseCidr('10.0.5.0/24')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('10.0.5.0/24')!, parseCidr('10.0.0.0/16')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('10.0.0.0/24')!, parseCidr('10.0.1.0/24')!)).toBe(false);
    expect(cidrsOverlap(parseCidr('10.0.0.0/8')!, parseCidr('fd00::/8')!)).toBe(false);
  });

  it('formats addresses and networks back to text', () => {
    expect(formatIp(parseIp('10.20.30.40')!)).toBe('10.20.30.40');
    expect(formatIp(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')!)).toBe('2001:db8::1');
    expect(formatIp(parseIp('1:0:0:2:0:0:0:3')!)).toBe('1:0:0:2::3');
    expect(formatIp(parseIp('1:2:3:4:5:6:7:8')!)).toBe('1:2:3:4:5:6:7:8');
    expect(formatIp({ family: 6, value: 0n })).toBe('::');
    expect(formatCidrNetwork(parseCidr('10.0.1.7/24')!)).toBe('10.0.1.0/24');
    expect(formatCidrNetwork(parseCidr('fd00::1/64')!)).toBe('fd00::/64');
  });
});
