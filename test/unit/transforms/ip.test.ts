import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, formatIPv6, maskIPv4, maskIPv6, parseIP, parseIPv4 } from '../../../src/transforms/ip.js';

test('parseIPv4: strict dotted quads to unsigned 32-bit integers', () => {
  assert.equal(parseIPv4('0.0.0.0'), 0);
  assert.equal(parseIPv4('151.101.10.5'), 151 * 2 ** 24 + 101 * 2 ** 16 + 10 * 2 ** 8 + 5);
  assert.equal(parseIPv4('255.255.255.255'), 2 ** 32 - 1);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.0004', 'a.b.c.d', '1.2.3.', '.1.2.3', '::1']) {
    assert.equal(parseIPv4(bad), -1, bad);
  }
});

test('formatIPv4 / maskIPv4', () => {
  assert.equal(formatIPv4(parseIPv4('203.0.113.50')), '203.0.113.50');
  assert.equal(formatIPv4(maskIPv4(parseIPv4('203.0.113.50'), 24)), '203.0.113.0');
  assert.equal(formatIPv4(maskIPv4(parseIPv4('255.255.255.255'), 1)), '128.0.0.0');
  assert.equal(maskIPv4(parseIPv4('255.255.255.255'), 0), 0);
  assert.equal(maskIPv4(parseIPv4('255.255.255.255'), 32), 2 ** 32 - 1);
});

test('parseIP: IPv4, IPv6, IPv4-mapped IPv6, and rejects', () => {
  assert.deepEqual(parseIP('10.0.0.1'), { v4: 167772161, v6: undefined });
  assert.deepEqual(parseIP('::ffff:10.0.0.1'), { v4: 167772161, v6: undefined });
  assert.deepEqual(parseIP('2001:db8:1::7'), { v4: -1, v6: [0x2001, 0xdb8, 1, 0, 0, 0, 0, 7] });
  assert.equal(parseIP('not an ip'), undefined);
  assert.equal(parseIP('1.2.3'), undefined);
  assert.equal(parseIP('2001:db8::g'), undefined);
});

test('maskIPv6 / formatIPv6 (RFC 5952)', () => {
  assert.equal(formatIPv6(maskIPv6([0x2001, 0xdb8, 1, 0, 0, 0, 0, 7], 48)), '2001:db8:1::');
  assert.equal(formatIPv6(maskIPv6([0x2a04, 0x4e42, 0x12, 0xabcd, 0, 0, 0, 1], 52)), '2a04:4e42:12:a000::');
  assert.equal(formatIPv6(maskIPv6([1, 2, 3, 4, 5, 6, 7, 8], 128)), '1:2:3:4:5:6:7:8');
  assert.equal(formatIPv6(maskIPv6([1, 2, 3, 4, 5, 6, 7, 8], 0)), '::');
});
