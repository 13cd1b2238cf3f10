import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gcsUsage } from '../../../src/formats/gcs_usage.js';
import { SKIP } from '../../../src/formats/types.js';
import { assertContract, describeSample, failure, parsed, sampleLines, truncations } from './support.js';
import { GCS_USAGE } from '../../fixtures/samples/expected.js';

const parse = (line: string) => gcsUsage.parse(line);
const row = (values: string[]) => values.map((v) => `"${v.replace(/"/g, '""')}"`).join(',');
const FULL = ['1714564800000000', '192.0.2.1', '1', '', 'GET', '/b/o?x=1', '200', '0', '10', '2000', 'storage.googleapis.com',
  '', 'curl/8.4.0', 'id1', 'GET_Object', 'b', 'o'];

describeSample('gcs_usage: sample (gcs-usage.csv)', GCS_USAGE, parse);

describe('gcs_usage: details', () => {
  test('the PROTOCOLS.md example (UTF-8 object name, empty region)', () => {
    const p = parsed(parse('"1693206014339368","172.71.142.38","1","","GET","/v1/kanji/%E9%9B%86","200","0","277","488000","kanjiapi.dev","http://127.0.0.1:59961/","Mozilla/5.0 (X11; Linux x86_64) Chrome/102.0.5005.177 Safari/537.36","ADPycduvHuLfdAtc","GET_Object","kanjiapi.dev","v1/kanji/集"'));
    assert.equal(p.timestamp, 1693206013851); // 1693206014339368 µs completion − 488000 µs taken
    assert.deepEqual(p.fields, {
      layer: 'origin', client_ip: '172.71.142.38', method: 'GET', url: '/v1/kanji/%E9%9B%86', path: '/v1/kanji/%E9%9B%86',
      status: 200, req_bytes: 0, resp_bytes: 277, elapsed_us: 488000, host: 'kanjiapi.dev', referer: 'http://127.0.0.1:59961/',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/102.0.5005.177 Safari/537.36', request_id: 'ADPycduvHuLfdAtc',
      operation: 'GET_Object', bucket: 'kanjiapi.dev', object: 'v1/kanji/集',
    });
  });
  test('empty values are omitted; commas and doubled quotes inside values; CRLF', () => {
    const values = [...FULL];
    values[1] = ''; values[6] = ''; values[12] = 'ua, with "quotes"'; values[16] = '';
    const p = parsed(parse(row(values) + '\r'));
    assert.deepEqual(p.fields, {
      layer: 'origin', method: 'GET', url: '/b/o?x=1', path: '/b/o', query: 'x=1', req_bytes: 0, resp_bytes: 10, elapsed_us: 2000,
      host: 'storage.googleapis.com', user_agent: 'ua, with "quotes"', request_id: 'id1', operation: 'GET_Object', bucket: 'b',
    });
  });
  test('unquoted values are accepted', () => {
    assert.equal(parsed(parse(FULL.join(','))).fields.status, 200);
  });
  test('an unquoted header is skipped too', () => {
    assert.equal(parse('time_micros,c_ip,c_ip_type,c_ip_region,cs_method,cs_uri,sc_status,cs_bytes,sc_bytes,time_taken_micros,cs_host,cs_referer,cs_user_agent,s_request_id,cs_operation,cs_bucket,cs_object'), SKIP);
  });
});

describe('gcs_usage: malformed input', () => {
  const withValue = (i: number, v: string) => { const a = [...FULL]; a[i] = v; return row(a); };
  test('wrong column count', () => {
    assert.equal(failure(parse(row(FULL.slice(0, 16)))), 'expected 17 columns, got 16');
    assert.equal(failure(parse(row([...FULL, 'extra']))), 'expected 17 columns, got more');
    assert.equal(failure(parse('')), 'expected 17 columns, got 1');
    assert.equal(failure(parse('{"status":200}')), 'malformed quoting');
  });
  test('broken quoting', () => {
    assert.equal(failure(parse(row(FULL).slice(0, -1))), 'unterminated quoted value');
    assert.equal(failure(parse(row(FULL).replace('"GET",', '"GET"x,'))), 'malformed quoting');
    assert.equal(failure(parse(row(FULL).replace('"GET",', 'G"ET,'))), 'malformed quoting');
  });
  test('non-numeric numbers', () => {
    assert.equal(failure(parse(withValue(0, 'yesterday'))), 'invalid time_micros');
    assert.equal(failure(parse(withValue(0, ''))), 'invalid time_micros');
    assert.equal(failure(parse(withValue(0, '-5'))), 'invalid time_micros');
    assert.equal(failure(parse(withValue(6, 'OK'))), 'invalid sc_status');
    assert.equal(failure(parse(withValue(7, '1e3'))), 'invalid cs_bytes');
    assert.equal(failure(parse(withValue(8, 'lots'))), 'invalid sc_bytes');
    assert.equal(failure(parse(withValue(9, '0x10'))), 'invalid time_taken_micros');
  });
  test('NUL bytes and a 10 MB value do not throw', () => {
    assertContract(parse(withValue(12, '\u0000\u0000')));
    const p = parsed(parse(withValue(12, 'a'.repeat(10 * 1024 * 1024))));
    assert.equal((p.fields.user_agent as string).length, 10 * 1024 * 1024);
    assert.equal(failure(parse(','.repeat(10 * 1024 * 1024))), 'expected 17 columns, got more');
  });
  test('every truncation of every sample line keeps the contract', () => {
    for (const line of sampleLines('gcs-usage.csv')) for (const t of truncations(line)) assertContract(parse(t));
  });
});

describe('gcs_usage: properties', () => {
  test('arbitrary strings never throw and yield one outcome', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertContract(parse(s))), { numRuns: 2000 });
  });
  test('17 arbitrary values, properly quoted, always split back to 17 columns', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 12 }), { minLength: 16, maxLength: 16 }), (rest) => {
      const p = parse(row(['1714564800000000', ...rest]));
      assertContract(p);
      if (p !== SKIP && !('reason' in p)) assert.equal(p.timestamp, Math.floor((Date.UTC(2024, 4, 1, 12) * 1000 - Number(rest[8] === '' ? 0 : rest[8])) / 1000));
      else assert.match((p as { reason: string }).reason, /^invalid (sc_status|cs_bytes|sc_bytes|time_taken_micros)$/);
    }), { numRuns: 1000 });
  });
});
