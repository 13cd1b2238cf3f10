import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastlySyslog, popFromNode } from '../../../src/formats/fastly_syslog.js';
import { assertContract, describeSample, failure, parsed, sampleLines, truncations } from './support.js';
import { FASTLY_SYSLOG } from '../../fixtures/samples/expected.js';

const parse = (line: string) => fastlySyslog.parse(line);

describeSample('fastly_syslog: sample (fastly-syslog-classic.log)', FASTLY_SYSLOG, parse);

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
    ['<134>Sep 40 19:21:00 cache-jfk8145 e[1]: hi', 'invalid syslog timestamp'], // RFC 3164 timestamps are read (rfc3164.test.ts); this one is out of range
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
