import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auto } from '../../../src/formats/auto.js';
import { getFormat } from '../../../src/formats/index.js';
import { SKIP, type FormatName } from '../../../src/formats/types.js';
import { assertContract, failure, sampleLines } from './support.js';

const parse = (line: string) => auto.parse(line);

describe('auto: every sample line reads exactly as with its own format', () => {
  const files: [string, FormatName][] = [
    ['fastly-flat.ndjson', 'fastly_json'],
    ['fastly-datadog-nested.ndjson', 'fastly_json'],
    ['fastly-syslog-classic.log', 'fastly_syslog'],
    ['combined.log', 'combined'],
    ['h2o-default.log', 'h2o'],
    ['gcs-usage.csv', 'gcs_usage'],
  ];
  for (const [file, name] of files) {
    test(`${file} → ${name}`, () => {
      const own = getFormat(name);
      for (const line of sampleLines(file)) assert.deepEqual(parse(line), own.parse(line), line);
    });
  }
  test('the gcs header row is skipped', () => assert.equal(parse(sampleLines('gcs-usage.csv')[0]!), SKIP));
});

describe('auto: detection', () => {
  test('leading blanks and a BOM do not hide the first byte', () => {
    assert.deepEqual(parse('  \t{"status":204}'), parse('{"status":204}'));
    assert.deepEqual(parse('\ufeff{"status":204}'), { timestamp: NaN, fields: { status: 204, layer: 'edge' } });
  });
  test('a token before <134> goes to syslog', () => {
    const line = 'abc123 <134>2016-09-20T19:21:00Z cache-jfk8145 e[1]: hi';
    assert.deepEqual(parse(line), { timestamp: Date.UTC(2016, 8, 20, 19, 21), fields: { layer: 'edge', message: 'hi', node: 'cache-jfk8145', pop: 'JFK' } });
  });
  test('unrecognised lines fail with the reason of the last format tried', () => {
    assert.equal(failure(parse('')), 'empty line');
    assert.equal(failure(parse('   ')), 'empty line');
    assert.equal(failure(parse('hello world')), 'unrecognized line (combined: missing [timestamp])');
    assert.equal(failure(parse('{not json')), 'invalid JSON');
    assert.equal(failure(parse('"a","b"')), 'expected 17 columns, got 2');
    assert.equal(failure(parse('<x>')), 'invalid syslog <priority>');
  });
});

describe('auto: properties', () => {
  test('arbitrary strings never throw and yield one outcome', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertContract(parse(s))), { numRuns: 2000 });
  });
  test('arbitrary strings behind each detection byte never throw', () => {
    fc.assert(fc.property(fc.constantFrom('{', '<', '"', 't <', 'time_micros,', '1 - - ['), fc.string({ maxLength: 100 }),
      (p, s) => assertContract(parse(p + s))), { numRuns: 2000 });
  });
});
