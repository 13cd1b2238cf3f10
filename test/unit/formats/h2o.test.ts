import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { h2o } from '../../../src/formats/h2o.js';
import { assertContract, describeSample, failure, parsed, sampleLines, truncations } from './support.js';
import { H2O } from '../../fixtures/samples/expected.js';

const parse = (line: string) => h2o.parse(line);

describeSample('h2o: sample (h2o-default.log)', H2O, parse);

describe('h2o: escapes', () => {
  const line = (ua: string) => `192.0.2.1 - - [24/Jul/2023:16:00:00 +0000] "GET / HTTP/2" 200 0 "-" "${ua}"`;
  const ua = (s: string) => parsed(parse(line(s))).fields.user_agent;
  test('Apache style: \\xNN bytes, UTF-8 runs, upper- and lower-case hex', () => {
    assert.equal(ua('a\\x22b\\x5Cc'), 'a"b\\c');
    assert.equal(ua('\\xe9\\x9b\\x86'), '集');
    assert.equal(ua('\\xE9\\x9B\\x86x'), '集x');
  });
  test('JSON style: \\u0022, \\n, \\t, \\/', () => {
    assert.equal(ua('a\\u0022b\\nc\\td\\/'), 'a"b\nc\td/');
  });
  test('invalid or truncated escapes are kept as written', () => {
    assert.equal(ua('a\\xZZ'), 'a\\xZZ');
    assert.equal(ua('a\\x2'), 'a\\x2');
    assert.equal(ua('a\\u12'), 'a\\u12');
    assert.equal(ua('a\\q'), 'a\\q');
  });
  test('an invalid UTF-8 byte run becomes U+FFFD, not an exception', () => {
    assert.equal(ua('\\xff\\xfe'), '\ufffd\ufffd');
  });
});

describe('h2o: malformed input', () => {
  test('each broken part has its own reason', () => {
    assert.equal(failure(parse('')), 'missing client address');
    assert.equal(failure(parse('192.0.2.1 - - [24/Jul/2023:16:00:00 +0000]')), 'missing "request"');
    assert.equal(failure(parse('192.0.2.1 - - [24/Jul/2023:16:00:00 +9900] "GET / HTTP/2" 200 0')), 'invalid timestamp');
    assert.equal(failure(parse('192.0.2.1 - - [24/Jul/2023:16:00:00 +0000] "GET / HTTP/2" - 0')), 'invalid status');
    assert.equal(failure(parse('192.0.2.1 - - [24/Jul/2023:16:00:00 +0000] "GET / HTTP/2" 200 0 "\\x22')), 'unterminated quoted field');
  });
  test('every truncation of every sample line keeps the contract', () => {
    for (const line of sampleLines('h2o-default.log')) for (const t of truncations(line)) assertContract(parse(t));
  });
  test('a 10 MB run of \\x escapes decodes without throwing', () => {
    const p = parsed(parse(`192.0.2.1 - - [24/Jul/2023:16:00:00 +0000] "GET /${'\\x41'.repeat(2_500_000)} HTTP/2" 200 0`));
    assert.equal((p.fields.path as string).length, 2_500_001);
  });
});

describe('h2o: properties', () => {
  test('arbitrary strings never throw and yield one outcome', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertContract(parse(s))), { numRuns: 2000 });
  });
  test('arbitrary escape soup inside the user agent never throws', () => {
    const soup = fc.array(fc.constantFrom('\\', 'x', 'u', '0', '2', 'e', 'f', 'F', '"', 'a', '9'), { maxLength: 40 }).map((a) => a.join(''));
    fc.assert(fc.property(soup, (s) => assertContract(parse(`192.0.2.1 - - [24/Jul/2023:16:00:00 +0000] "GET / HTTP/2" 200 0 "-" "${s}"`))), { numRuns: 2000 });
  });
});
