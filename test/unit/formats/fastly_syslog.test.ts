import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastlySyslog, popFromNode } from '../../../src/formats/fastly_syslog.js';
import { assertContract, failure, parsed, sampleLines, truncations } from './support.js';

const parse = (line: string) => fastlySyslog.parse(line);

describe('fastly_syslog: sample (fastly-syslog-classic.log)', () => {
  const lines = sampleLines('fastly-syslog-classic.log');
  const expected = [
    { // classic, JSON payload without pop: pop from the node name
      ts: Date.UTC(2023, 6, 24, 16, 0, 0),
      fields: {
        layer: 'edge', client_ip: '203.0.113.7', host: 'cdn.dl.k8s.io', url: '/release/v1.28.0/bin/linux/amd64/kubectl',
        path: '/release/v1.28.0/bin/linux/amd64/kubectl', method: 'GET', status: 200, cache_state: 'HIT', resp_bytes: 49864704,
        elapsed_us: 183422, is_edge: true, node: 'cache-iad-kiad7000025', pop: 'IAD',
      },
    },
    { // token before <134>; string-typed status and is_edge; the payload's pop and timestamp win
      ts: Date.UTC(2023, 6, 24, 16, 0, 0, 512),
      fields: {
        layer: 'edge', client_ip: '2001:db8::42', host: 'dl.k8s.io', url: '/release/stable.txt', path: '/release/stable.txt',
        method: 'GET', status: 200, cache_state: 'PASS', pop: 'EWR', is_edge: true, node: 'cache-jfk8145',
      },
    },
    { // text payload in common log format; pop from the node's -FRA suffix
      ts: Date.UTC(2023, 6, 24, 16, 0, 2),
      fields: {
        layer: 'edge', client_ip: '198.51.100.23', method: 'GET', url: '/release/v1.28.0/bin/linux/arm64/kubeadm',
        path: '/release/v1.28.0/bin/linux/arm64/kubeadm', protocol: 'HTTP/1.1', status: 200, resp_body_bytes: 50397184,
        node: 'cache-fra-eddf8230-FRA', pop: 'FRA',
      },
    },
    { // free text payload: kept as message; the prefix's timestamp is used
      ts: Date.UTC(2023, 6, 24, 16, 0, 3),
      fields: {
        layer: 'edge', message: 'origin fetch slow: storage.googleapis.com took 2210 ms', node: 'cache-nrt-rjtt8100031', pop: 'NRT',
      },
    },
    { // RFC 5424 (loggly) with structured data; escaped quotes in the JSON url
      ts: Date.UTC(2023, 6, 24, 16, 0, 4),
      fields: {
        layer: 'edge', client_ip: '192.0.2.200', host: 'cdn.dl.k8s.io', url: '/release/v1.28.0/bin/windows/amd64/kubectl.exe?checksum="sha256"',
        path: '/release/v1.28.0/bin/windows/amd64/kubectl.exe', query: 'checksum="sha256"', method: 'HEAD', status: 404,
        cache_state: 'MISS', is_edge: false, node: 'cache-gru-sbgr1230', pop: 'GRU',
      },
    },
    { // RFC 5424 with nil values and a combined-format payload from an IPv6 client
      ts: Date.UTC(2023, 6, 24, 16, 0, 5),
      fields: {
        layer: 'edge', client_ip: '2001:db8:85a3::8a2e:370:7334', method: 'GET', url: '/release/v1.28.0/bin/darwin/arm64/kubectl',
        path: '/release/v1.28.0/bin/darwin/arm64/kubectl', protocol: 'HTTP/2.0', status: 206, resp_body_bytes: 1048576,
        user_agent: 'kubectl/v1.28.0 (darwin/arm64) kubernetes/855e7c4', node: 'cache-sjc10042-SJC', pop: 'SJC',
      },
    },
  ];
  test('has as many lines as expectations', () => assert.equal(lines.length, expected.length));
  expected.forEach((e, i) => {
    test(`line ${i + 1}`, () => {
      const p = parsed(parse(lines[i]!));
      assert.equal(p.timestamp, e.ts);
      assert.deepEqual(p.fields, e.fields);
    });
  });
});

describe('fastly_syslog: details', () => {
  test('the PROTOCOLS.md prefix with an empty and a text message', () => {
    const p = parsed(parse('<134>2016-09-20T19:21:00Z cache-jfk8145 endpoint-name[95219]: hello'));
    assert.equal(p.timestamp, Date.UTC(2016, 8, 20, 19, 21));
    assert.deepEqual(p.fields, { layer: 'edge', message: 'hello', node: 'cache-jfk8145', pop: 'JFK' });
    assert.deepEqual(parsed(parse('<134>2016-09-20T19:21:00Z cache-jfk8145 endpoint-name[95219]:')).fields,
      { layer: 'edge', node: 'cache-jfk8145', pop: 'JFK' });
  });
  test('the payload node wins over the syslog hostname', () => {
    assert.deepEqual(parsed(parse('<134>2016-09-20T19:21:00Z cache-jfk8145 e[1]: {"node":"cache-jfk8146"}')).fields,
      { node: 'cache-jfk8146', layer: 'edge', pop: 'JFK' });
  });
  test('an endpoint name with spaces; a tag without pid', () => {
    assert.equal(parsed(parse('<134>2016-09-20T19:21:00Z cache-jfk8145 my endpoint[1]: hi')).fields.message, 'hi');
    assert.equal(parsed(parse('<134>2016-09-20T19:21:00Z cache-jfk8145 ep: hi')).fields.message, 'hi');
  });
  test('RFC 5424: nil timestamp and hostname, several SD elements with escaped "]", BOM before MSG', () => {
    const p = parsed(parse('<134>1 - - app - - [a@1 x="\\]\\"y"][b@2] \ufeffhi there'));
    assert.ok(Number.isNaN(p.timestamp));
    assert.deepEqual(p.fields, { layer: 'edge', message: 'hi there' });
    assert.deepEqual(parsed(parse('<134>1 2016-09-20T19:21:00+02:00 cache-lhr6341 app 1 - -')).fields,
      { layer: 'edge', node: 'cache-lhr6341', pop: 'LHR' });
  });
  test('a logplex octet count in front of the priority is read like a token', () => {
    assert.equal(parsed(parse('83 <134>1 2016-09-20T19:21:00Z cache-jfk8145 app 1 - - hi')).fields.message, 'hi');
  });
  test('popFromNode', () => {
    assert.equal(popFromNode('cache-jfk8145'), 'JFK');
    assert.equal(popFromNode('cache-iad-kiad7000025'), 'IAD');
    assert.equal(popFromNode('cache-fra-eddf8230-FRA'), 'FRA');
    assert.equal(popFromNode('cache-lcy19120-LCY'), 'LCY');
    assert.equal(popFromNode('web01'), undefined);
    assert.equal(popFromNode('cache-x1'), undefined);
    assert.equal(popFromNode(''), undefined);
  });
});

describe('fastly_syslog: malformed input', () => {
  const cases: [string, string][] = [
    ['', 'missing syslog <priority>'],
    ['hello world', 'missing syslog <priority>'],
    ['2016-09-20T19:21:00Z cache-jfk8145 e[1]: hi', 'missing syslog <priority>'],
    ['<>2016-09-20T19:21:00Z cache-jfk8145 e[1]: hi', 'invalid syslog <priority>'],
    ['<1a4>2016-09-20T19:21:00Z cache-jfk8145 e[1]: hi', 'invalid syslog <priority>'],
    ['<192>2016-09-20T19:21:00Z cache-jfk8145 e[1]: hi', 'invalid syslog <priority>'],
    ['<13400>2016-09-20T19:21:00Z cache-jfk8145 e[1]: hi', 'invalid syslog <priority>'],
    ['<134>Sep 20 19:21:00 cache-jfk8145 e[1]: hi', 'invalid syslog timestamp'],
    ['<134>2016-09-20T19:21:00Z', 'missing syslog hostname'],
    ['<134>2016-09-20T19:21:00Z cache-jfk8145', 'missing syslog hostname'],
    ['<134>2016-09-20T19:21:00Z cache-jfk8145 e[1] hi', 'missing syslog tag'],
    ['<134>2016-09-20T19:21:00Z cache-jfk8145 e[1]: {"status":', 'invalid JSON'],
    ['<134>2016-09-20T19:21:00Z cache-jfk8145 e[1]: {"timestamp":"later"}', 'invalid timestamp'],
    ['<134>1 2016-09-20T19:21:00Z cache-jfk8145 app', 'truncated RFC 5424 header'],
    ['<134>1 nope cache-jfk8145 app 1 - - hi', 'invalid syslog timestamp'],
    ['<134>1 2016-09-20T19:21:00Z h app 1 - [unclosed x="1"', 'invalid RFC 5424 structured data'],
    ['<134>1 2016-09-20T19:21:00Z h app 1 - x hi', 'invalid RFC 5424 structured data'],
    ['<134>1 2016-09-20T19:21:00Z h app 1 - [a]hi', 'invalid RFC 5424 structured data'],
  ];
  for (const [line, reason] of cases) test(`${reason}: ${JSON.stringify(line)}`, () => assert.equal(failure(parse(line)), reason));
  test('NUL bytes and a 10 MB message do not throw', () => {
    assertContract(parse('<134>2016-09-20T19:21:00Z cache-jfk8145 e[1]: \u0000\u0000'));
    const p = parsed(parse('<134>2016-09-20T19:21:00Z cache-jfk8145 e[1]: ' + 'x'.repeat(10 * 1024 * 1024)));
    assert.equal((p.fields.message as string).length, 10 * 1024 * 1024);
    assertContract(parse('<134>1 - - a - - [' + '\\"'.repeat(1_000_000)));
  });
  test('every truncation of every sample line keeps the contract', () => {
    for (const line of sampleLines('fastly-syslog-classic.log')) for (const t of truncations(line)) assertContract(parse(t));
  });
});

describe('fastly_syslog: properties', () => {
  test('arbitrary strings never throw and yield one outcome', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertContract(parse(s))), { numRuns: 2000 });
  });
  test('arbitrary text after a valid prefix never throws', () => {
    const prefixes = ['<134>2016-09-20T19:21:00Z cache-jfk8145 e[1]: ', 'tok <134>1 2016-09-20T19:21:00Z h a 1 - ', '<0>'];
    fc.assert(fc.property(fc.constantFrom(...prefixes), fc.string({ maxLength: 80 }), (p, s) => assertContract(parse(p + s))), { numRuns: 2000 });
  });
});
