import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4Contains, ipv6Contains, parseRanges, RangeFileError, loadRanges } from '../../../../src/transforms/ip_match/ranges.js';
import { parseIP } from '../../../../src/transforms/ip.js';

const has = (r: ReturnType<typeof parseRanges>, ip: string) => {
  const p = parseIP(ip)!;
  return p.v6 === undefined ? ipv4Contains(r, p.v4) : ipv6Contains(r, p.v6);
};

test('CIDR-per-line text: comments, blanks, bare addresses; inclusive boundaries', () => {
  const r = parseRanges('# CDN ranges\n10.0.0.0/8\n\n192.0.2.7   # one host\n2001:db8::/32\r\n2001:db8:ffff::1\n', 'list.txt');
  assert.equal(has(r, '10.0.0.0'), true);
  assert.equal(has(r, '10.255.255.255'), true);
  assert.equal(has(r, '11.0.0.0'), false);
  assert.equal(has(r, '9.255.255.255'), false);
  assert.equal(has(r, '192.0.2.7'), true);
  assert.equal(has(r, '192.0.2.8'), false);
  assert.equal(has(r, '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'), true);
  assert.equal(has(r, '2001:db9::'), false);
  assert.equal(r.v6.length, 2);
});

test('overlapping and adjacent IPv4 ranges are merged; host bits in a CIDR are ignored', () => {
  const r = parseRanges('10.0.0.0/24\n10.0.1.0/24\n10.0.0.128/25\n10.0.5.77/24\n', 'x');
  assert.deepEqual([...r.starts], [0x0a000000, 0x0a000500]);
  assert.deepEqual([...r.ends], [0x0a0001ff, 0x0a0005ff]);
  assert.equal(has(r, '10.0.5.0'), true);
});

test("Fastly's JSON shape", () => {
  const r = parseRanges('{"addresses":["151.101.0.0/16"],"ipv6_addresses":["2a04:4e42::/32"]}', 'f.json');
  assert.equal(has(r, '151.101.10.5'), true);
  assert.equal(has(r, '2a04:4e42::1'), true);
  assert.equal(has(r, '2a04:4e43::1'), false);
});

test('errors name the file and the entry', () => {
  const bad = (text: string, re: RegExp) => assert.throws(() => parseRanges(text, 'r.txt'), (e: unknown) => e instanceof RangeFileError && re.test(e.message));
  bad('10.0.0.0/8\nnot-a-cidr\n', /^r\.txt: line 2: "not-a-cidr" is not an IPv4 or IPv6 address range$/);
  bad('10.0.0.0/33\n', /^r\.txt: line 1: "10\.0\.0\.0\/33" has an invalid prefix length$/);
  bad('2001:db8::/129\n', /line 1: .* invalid prefix length/);
  bad('10.0.0.0/x\n', /invalid prefix length/);
  bad('# nothing\n\n', /^r\.txt: no address ranges found$/);
  bad('{"addresses": [', /^r\.txt: not valid JSON/);
  bad('{"other": []}', /^r\.txt: expected "addresses" and\/or "ipv6_addresses"/);
  bad('{"addresses": "10.0.0.0/8"}', /"addresses" must be a list/);
  bad('{"addresses": ["10.0.0.0/8", 5]}', /^r\.txt: addresses\[1\]: not a string$/);
  assert.throws(() => loadRanges('/nonexistent/ranges.txt'), /^RangeFileError: \/nonexistent\/ranges\.txt: cannot read \(ENOENT\)$/);
});
