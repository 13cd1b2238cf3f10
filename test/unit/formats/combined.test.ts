import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { combined } from '../../../src/formats/combined.js';
import { assertContract, describeSample, failure, parsed, sampleLines, truncations } from './support.js';
import { COMBINED } from '../../fixtures/samples/expected.js';

const parse = (line: string) => combined.parse(line);

describeSample('combined: sample (combined.log)', COMBINED, parse);

describe('combined: details', () => {
  const head = '203.0.113.7 - - [01/May/2024:12:00:00 +0000] ';
  test('the PROTOCOLS.md example', () => {
    const p = parsed(parse('203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET /release/v1.28.0/bin/linux/amd64/kubectl HTTP/1.1" 200 49864192 "-" "curl/8.4.0"'));
    assert.equal(p.timestamp, Date.UTC(2024, 4, 1, 12));
    assert.deepEqual(p.fields, {
      layer: 'edge', client_ip: '203.0.113.7', method: 'GET', url: '/release/v1.28.0/bin/linux/amd64/kubectl',
      path: '/release/v1.28.0/bin/linux/amd64/kubectl', protocol: 'HTTP/1.1', status: 200, resp_body_bytes: 49864192,
      user_agent: 'curl/8.4.0',
    });
  });
  test('nginx \\x22 escapes and Apache \\\\ escapes are decoded', () => {
    const p = parsed(parse(head + '"GET /a?q=\\x22x\\x22 HTTP/1.1" 200 1 "-" "agent \\\\ \\"quoted\\""'));
    assert.equal(p.fields.url, '/a?q="x"');
    assert.equal(p.fields.user_agent, 'agent \\ "quoted"');
  });
  test('an unescaped quote inside the request is tolerated (the quote before the status closes it)', () => {
    const p = parsed(parse(head + '"GET /a"b HTTP/1.1" 200 1'));
    assert.equal(p.fields.url, '/a"b');
    assert.equal(p.fields.status, 200);
  });
  test('HTTP/0.9 request line and a request line that is not HTTP', () => {
    assert.deepEqual(parsed(parse(head + '"GET /" 200 5')).fields, { layer: 'edge', client_ip: '203.0.113.7', method: 'GET', url: '/', path: '/', status: 200, resp_body_bytes: 5 });
    assert.deepEqual(parsed(parse(head + '"\\x16\\x03\\x01" 400 0')).fields, { layer: 'edge', client_ip: '203.0.113.7', request: '\u0016\u0003\u0001', status: 400, resp_body_bytes: 0 });
  });
  test('a user name with a space, extra trailing fields, CRLF, an empty referer', () => {
    const p = parsed(parse('192.0.2.1 - jane doe [01/May/2024:12:00:00 +0000] "GET /x HTTP/1.1" 200 1 "" "ua" "203.0.113.9" rt=0.1\r'));
    assert.deepEqual(p.fields, { layer: 'edge', client_ip: '192.0.2.1', method: 'GET', url: '/x', path: '/x', protocol: 'HTTP/1.1', status: 200, resp_body_bytes: 1, referer: '', user_agent: 'ua' });
  });
});

describe('combined: malformed input', () => {
  const cases: [string, string][] = [
    ['', 'missing client address'],
    ['203.0.113.7', 'missing client address'],
    ['203.0.113.7 - - 01/May/2024:12:00:00 +0000 "GET / HTTP/1.1" 200 1', 'missing [timestamp]'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000 "GET / HTTP/1.1" 200 1', 'missing [timestamp]'],
    ['203.0.113.7 - - [01/Foo/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1', 'invalid timestamp'],
    ['203.0.113.7 - - [2024-05-01T12:00:00Z] "GET / HTTP/1.1" 200 1', 'invalid timestamp'],
    ['203.0.113.7 - - [31/Apr/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1', 'invalid timestamp'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000] GET / HTTP/1.1 200 1', 'missing "request"'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1 200 1', 'unterminated "request"'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" OK 1', 'invalid status'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" 200', 'invalid byte count'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 12k', 'invalid byte count'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-', 'unterminated quoted field'],
    ['203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl', 'unterminated quoted field'],
    ['{"status":200}', 'missing client address'],
  ];
  for (const [line, reason] of cases) {
    test(`${reason}: …${JSON.stringify(line).slice(-45)}`, () => assert.equal(failure(parse(line)), reason));
  }
  test('NUL bytes and a 10 MB line do not throw', () => {
    assertContract(parse('\u0000 - - [01/May/2024:12:00:00 +0000] "GET /\u0000 HTTP/1.1" 200 1 "\u0000" "\u0000"'));
    const big = '203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET /' + 'a'.repeat(10 * 1024 * 1024) + ' HTTP/1.1" 200 1';
    assert.equal((parsed(parse(big)).fields.path as string).length, 10 * 1024 * 1024 + 1);
    assert.equal(failure(parse(big.slice(0, -10))), 'unterminated "request"');
    assertContract(parse('1 - - [01/May/2024:12:00:00 +0000] "' + '\\'.repeat(1_000_000) + '"'));
  });
  test('every truncation of every sample line keeps the contract', () => {
    for (const line of sampleLines('combined.log')) for (const t of truncations(line)) assertContract(parse(t));
  });
});

describe('combined: properties', () => {
  test('arbitrary strings never throw and yield one outcome', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertContract(parse(s))), { numRuns: 2000 });
  });
  test('sample lines with arbitrary text spliced in keep the contract', () => {
    const lines = sampleLines('combined.log');
    fc.assert(fc.property(fc.constantFrom(...lines), fc.nat(), fc.string({ maxLength: 20 }), (l, at, s) => {
      const k = at % (l.length + 1);
      assertContract(parse(l.slice(0, k) + s + l.slice(k)));
    }), { numRuns: 2000 });
  });
});
