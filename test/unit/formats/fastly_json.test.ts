import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastlyJson, mapFastlyValue, parseFastlyJson } from '../../../src/formats/fastly_json.js';
import { ParseFailure, type ParsedText } from '../../../src/formats/types.js';
import { assertContract, describeSample, failure, parsed, sampleLines, truncations } from './support.js';
import { FASTLY_FLAT, FASTLY_NESTED } from '../../fixtures/samples/expected.js';

const parse = (line: string) => fastlyJson.parse(line);

describeSample('fastly_json: flat sample (fastly-flat.ndjson)', FASTLY_FLAT, parse);

describeSample('fastly_json: nested Datadog-style sample (fastly-datadog-nested.ndjson)', FASTLY_NESTED, parse);

describe('fastly_json: flat shape coercion', () => {
  test('string numbers and booleans become numbers and booleans', () => {
    const p = parsed(parse('{"status":"503","req_bytes":"10","resp_bytes":"2.5","elapsed_us":"7","asn":"64500","is_edge":"false"}'));
    assert.deepEqual(p.fields, { layer: 'edge', status: 503, req_bytes: 10, resp_bytes: 2.5, elapsed_us: 7, asn: 64500, is_edge: false });
  });
  test('is_edge accepts 1/0, "1"/"0", "TRUE"', () => {
    assert.deepEqual(parsed(parse('{"is_edge":1}')).fields, { layer: 'edge', is_edge: true });
    assert.deepEqual(parsed(parse('{"is_edge":"0"}')).fields, { layer: 'edge', is_edge: false });
    assert.deepEqual(parsed(parse('{"is_edge":"TRUE"}')).fields, { layer: 'edge', is_edge: true });
  });
  test('values of the wrong type that cannot be coerced are omitted, never null', () => {
    const p = parsed(parse('{"status":"-","resp_bytes":"","req_bytes":"12abc","asn":{"n":1},"is_edge":"maybe","host":null,"pop":["IAD"],"x":null}'));
    assert.deepEqual(p.fields, { layer: 'edge' });
  });
  test('numbers too large for a double are omitted', () => {
    assert.deepEqual(parsed(parse('{"status":1e400,"resp_bytes":"' + '9'.repeat(400) + '"}')).fields, { layer: 'edge' });
  });
  test('numbers in text fields become their decimal text', () => {
    assert.deepEqual(parsed(parse('{"geo_region":13,"request_id":42}')).fields, { layer: 'edge', geo_region: '13', request_id: '42' });
  });
  test('unknown keys are kept as-is (custom fields), including objects', () => {
    const p = parsed(parse('{"status":200,"customer":"acme","shard":7,"flags":{"a":true},"tags":["x"]}'));
    assert.deepEqual(p.fields, { layer: 'edge', status: 200, customer: 'acme', shard: 7, flags: { a: true }, tags: ['x'] });
  });
  test('an own "__proto__" key is dropped and never becomes a prototype', () => {
    const p = parsed(parse('{"__proto__":{"polluted":true},"status":200}'));
    assert.deepEqual(p.fields, { layer: 'edge', status: 200 });
    assert.equal(Object.getPrototypeOf(p.fields), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  test('layer: "origin" is kept, anything else becomes "edge"', () => {
    assert.deepEqual(parsed(parse('{"layer":"origin"}')).fields, { layer: 'origin' });
    assert.deepEqual(parsed(parse('{"layer":"cdn"}')).fields, { layer: 'edge' });
  });
  test('path and query are derived from url and override logged ones', () => {
    assert.deepEqual(parsed(parse('{"url":"/a/b?c=1&d=2","path":"/x","query":"y"}')).fields,
      { layer: 'edge', url: '/a/b?c=1&d=2', path: '/a/b', query: 'c=1&d=2' });
    assert.deepEqual(parsed(parse('{"url":"/a/b","query":"stale"}')).fields, { layer: 'edge', url: '/a/b', path: '/a/b' });
    assert.deepEqual(parsed(parse('{"url":"/a?"}')).fields, { layer: 'edge', url: '/a?', path: '/a', query: '' });
    assert.deepEqual(parsed(parse('{"url":"https://dl.k8s.io/release/stable.txt?x=1"}')).fields,
      { layer: 'edge', url: 'https://dl.k8s.io/release/stable.txt?x=1', path: '/release/stable.txt', query: 'x=1' });
  });
  test('without url, logged path and query are kept', () => {
    assert.deepEqual(parsed(parse('{"path":"/p","query":"q=1"}')).fields, { layer: 'edge', path: '/p', query: 'q=1' });
  });
});

describe('fastly_json: timestamps', () => {
  const ts = (v: string) => parsed(parse(`{"timestamp":${v}}`)).timestamp;
  const base = Date.UTC(2024, 4, 1, 12, 0, 0);
  test('ISO-8601 with Z, ±hhmm, ±hh:mm, ±hh, GMT, fractions', () => {
    assert.equal(ts('"2024-05-01T12:00:00Z"'), base);
    assert.equal(ts('"2024-05-01T12:00:00+0000"'), base);
    assert.equal(ts('"2024-05-01T14:00:00+02:00"'), base);
    assert.equal(ts('"2024-05-01T06:30:00-0530"'), base);
    assert.equal(ts('"2024-05-01T13:00:00+01"'), base);
    assert.equal(ts('"2024-05-01T12:00:00GMT"'), base);
    assert.equal(ts('"2024-05-01T12:00:00.123456Z"'), base + 123);
    assert.equal(ts('"2024-05-01 12:00:00.5Z"'), base + 500);
    assert.equal(ts('"2024-05-01T12:00:00"'), base, 'no zone: UTC');
  });
  test('epoch numbers: seconds, milliseconds, microseconds, nanoseconds', () => {
    assert.equal(ts('1714564800'), base);
    assert.equal(ts('1714564800.25'), base + 250);
    assert.equal(ts('1714564800123'), base + 123);
    assert.equal(ts('1714564800123456'), base + 123);
    assert.equal(ts('1714564800123456789'), base + 123);
    assert.equal(ts('"1714564800"'), base);
  });
  test('CLF text in a JSON field', () => {
    assert.equal(ts('"01/May/2024:12:00:00 +0000"'), base);
    assert.equal(ts('"[01/May/2024:14:00:00 +0200]"'), base);
  });
  test('a missing or empty timestamp is NaN (the event gets its arrival time)', () => {
    assert.ok(Number.isNaN(parsed(parse('{"status":200}')).timestamp));
    assert.ok(Number.isNaN(parsed(parse('{"timestamp":""}')).timestamp));
    assert.ok(Number.isNaN(parsed(parse('{"timestamp":null}')).timestamp));
  });
  test('an unreadable timestamp fails the line', () => {
    for (const v of ['"yesterday"', '"2024-13-01T00:00:00Z"', '"2023-02-29T00:00:00Z"', '"2024-05-01T25:00:00Z"',
      '"2024-05-01T12:00:00+0000 junk"', 'true', '{}', '1e30']) {
      assert.equal(failure(parse(`{"timestamp":${v}}`)), 'invalid timestamp', v);
    }
  });
  test('leap day in a leap year is fine', () => {
    assert.equal(ts('"2024-02-29T00:00:00Z"'), Date.UTC(2024, 1, 29));
  });
});

describe('fastly_json: nested shape details', () => {
  test('time_start with %Z "GMT"; date as fallback; canonical top-level names fill gaps', () => {
    const p = parsed(parse('{"time_start":"2023-07-24T16:00:00GMT","http":{"status_code":"404","request_time_ms":1.5},"is_edge":"false","request_id":"r1","client_ip":"192.0.2.1","network":{"client":{}}}'));
    assert.equal(p.timestamp, Date.UTC(2023, 6, 24, 16));
    assert.deepEqual(p.fields, { layer: 'edge', request_id: 'r1', is_edge: false, status: 404, elapsed_us: 1500, client_ip: '192.0.2.1' });
    const q = parsed(parse('{"time_start":"","date":"2023-07-24T16:00:00+0000","network":{"bytes_written":5}}'));
    assert.equal(q.timestamp, Date.UTC(2023, 6, 24, 16));
    assert.deepEqual(q.fields, { layer: 'edge', resp_bytes: 5 });
  });
  test('the preset key wins over the canonical name', () => {
    const p = parsed(parse('{"http":{"url":"/a?b"},"url":"/ignored","server_datacenter":"IAD","pop":"XXX"}'));
    assert.deepEqual(p.fields, { layer: 'edge', pop: 'IAD', url: '/a?b', path: '/a', query: 'b' });
  });
  test('an invalid nested timestamp fails the line', () => {
    assert.equal(failure(parse('{"date":"soon","http":{}}')), 'invalid timestamp');
  });
  test('wrongly-typed nested objects are ignored', () => {
    assert.deepEqual(parsed(parse('{"http":{"status_code":200},"network":"10.0.0.1"}')).fields, { layer: 'edge', status: 200 });
    assert.deepEqual(parsed(parse('{"http":[1,2],"network":{"client":"x","geoip":null}}')).fields, { layer: 'edge' });
  });
});

describe('fastly_json: malformed input', () => {
  test('invalid JSON', () => {
    for (const l of ['', '{', '{"a":', 'not json', '{"a":1}}', '{\'a\':1}', '{"a":"\u0000"}', '\u0000{}']) {
      assert.equal(failure(parse(l)), 'invalid JSON', JSON.stringify(l));
    }
  });
  test('JSON that is not an object', () => {
    for (const l of ['[]', '[{"status":200}]', '42', '"x"', 'null', 'true']) assert.equal(failure(parse(l)), 'not a JSON object', l);
  });
  test('a UTF-8 BOM before the object is tolerated', () => {
    assert.deepEqual(parsed(parse('\ufeff{"status":200}')).fields, { layer: 'edge', status: 200 });
  });
  test('a 10 MB line parses (valid) or fails (invalid) without throwing', () => {
    const big = '/' + 'a'.repeat(10 * 1024 * 1024);
    const p = parsed(parse(`{"url":"${big}"}`));
    assert.equal((p.fields.path as string).length, big.length);
    assert.equal(failure(parse('{"url":"' + big)), 'invalid JSON');
  });
  test('every truncation of every sample line keeps the contract', () => {
    for (const file of ['fastly-flat.ndjson', 'fastly-datadog-nested.ndjson']) {
      for (const line of sampleLines(file)) for (const t of truncations(line)) assertContract(parse(t));
    }
  });
});

describe('fastly_json: properties', () => {
  test('arbitrary strings never throw and yield one outcome', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertContract(parse(s))), { numRuns: 2000 });
  });
  test('arbitrary JSON objects never throw and keep the contract', () => {
    fc.assert(fc.property(fc.object({ maxDepth: 2 }), (o) => assertContract(parse(JSON.stringify(o)))), { numRuns: 1000 });
  });
  test('canonical keys with arbitrary JSON values keep the contract', () => {
    const keys = fc.constantFrom('timestamp', 'status', 'url', 'is_edge', 'layer', 'asn', 'host', 'query', 'http', 'network', 'date');
    fc.assert(fc.property(fc.dictionary(keys, fc.jsonValue({ maxDepth: 2 })), (o) => assertContract(parse(JSON.stringify(o)))), { numRuns: 2000 });
  });
});

describe('fastly_json: timestamp-first fast path', () => {
  test('gives the same result as the general path on every flat sample line', () => {
    for (const line of sampleLines('fastly-flat.ndjson')) {
      const general = mapFastlyValue(JSON.parse(line));
      assert.deepEqual(parseFastlyJson(line), general);
    }
  });
  test('edge cases fall back or fail exactly like the general path', () => {
    const cases = [
      '{"timestamp":"2024-05-01T12:00:00Z","status":"200","timestamp":"2024-05-01T12:00:01Z"}',
      '{"timestamp":"not a time","status":200}',
      '{"timestamp":"","status":200}',
      '{"timestamp":"2024-05-01T12:00:00Z"}',
      '{"timestamp":"2024-05-01T12:00:00Z","http":{"status_code":"200"},"date":"2024-05-01T12:00:00+0000"}',
      '{"timestamp":"2024-05-01T12:00:00Z",broken',
    ];
    const expected = [
      { timestamp: Date.UTC(2024, 4, 1, 12, 0, 1), fields: { status: 200, layer: 'edge' } },
      new ParseFailure('invalid timestamp'),
      { timestamp: NaN, fields: { status: 200, layer: 'edge' } },
      { timestamp: Date.UTC(2024, 4, 1, 12), fields: { layer: 'edge' } },
      undefined, // nested shape: compared with the general path below
      new ParseFailure('invalid JSON'),
    ];
    cases.forEach((line, i) => {
      const got = parseFastlyJson(line);
      const want = expected[i] ?? mapFastlyValue(JSON.parse(line));
      assert.deepEqual(got, want, line);
    });
  });
});

describe('fastly_json: hostile lines (found by test/fuzz)', () => {
  test('a line cannot claim parse_error: the key is dropped, the line stays parsed', () => {
    assert.deepEqual(parseFastlyJson('{"status":200,"parse_error":"fake"}'), { timestamp: NaN, fields: { status: 200, layer: 'edge' } });
  });
  test('a passed-through value nested deeper than 32 levels fails the line (sink encoders could not serialise it)', () => {
    const nest = (d: number) => '['.repeat(d) + ']'.repeat(d);
    assert.deepEqual(parseFastlyJson(`{"status":200,"x":${nest(31)}}`), { timestamp: NaN, fields: { status: 200, x: JSON.parse(nest(31)), layer: 'edge' } });
    assert.deepEqual(parseFastlyJson(`{"status":200,"x":${nest(32)}}`), new ParseFailure('JSON nested too deeply'));
    assert.deepEqual(parseFastlyJson(`{"timestamp":"2024-05-01T12:00:00Z","x":{"a":${nest(100_000)}}}`), new ParseFailure('JSON nested too deeply'));
  });
});

describe('fastly_json: parseText (fields as JSON members text)', () => {
  const text = (line: string) => fastlyJson.parseText!(line);
  const isText = (o: unknown): o is ParsedText => typeof o === 'object' && o !== null && (o as ParsedText).text === true;

  test('a canonical line is sliced, not serialized: the members are the line minus the timestamp, plus path and layer', () => {
    const line = '{"timestamp":"2024-05-01T12:00:00.250Z","host":"cdn.example","status":200,"url":"/a/b?x=1","node":"cache-1"}';
    const o = text(line);
    assert.ok(isText(o));
    assert.equal(o.members, '"host":"cdn.example","status":200,"url":"/a/b?x=1","node":"cache-1","path":"/a/b","query":"x=1","layer":"edge"');
    assert.equal(o.timestamp, Date.UTC(2024, 4, 1, 12, 0, 0, 250));
    assert.equal(line.slice(o.start, o.end) + o.suffix, o.members);
    assert.equal(o.members, JSON.stringify(parsed(parse(line)).fields).slice(1, -1));
  });

  test('spacing and number spelling of the line are kept; the values are those parse() gives', () => {
    const line = '{"timestamp":"2024-05-01T12:00:00Z", "host" : "a",\t"status": 200.0, "layer":"origin" , "custom":{"n":[1, 2]}}';
    const o = text(line);
    assert.ok(isText(o));
    assert.equal(o.members, ' "host" : "a",\t"status": 200.0, "layer":"origin" , "custom":{"n":[1, 2]}');
    assert.deepEqual(JSON.parse('{' + o.members + '}'), parsed(parse(line)).fields);
  });

  test('a BOM is skipped and the offsets still point into the given string', () => {
    const line = '\ufeff{"timestamp":"2024-05-01T12:00:00Z","host":"a","layer":"edge"}';
    const o = text(line);
    assert.ok(isText(o));
    assert.equal(line.slice(o.start, o.end) + o.suffix, o.members);
    assert.equal(o.members, '"host":"a","layer":"edge"');
  });

  test('anything the mapping changes takes the parse path, with the same outcome as parse()', () => {
    for (const line of [
      '{"timestamp":"2024-05-01T12:00:00Z","status":"503"}', // coerced
      '{"timestamp":"2024-05-01T12:00:00Z","host":null}', // null dropped
      '{"timestamp":"2024-05-01T12:00:00Z","layer":"shield"}', // fixed up
      '{"timestamp":"2024-05-01T12:00:00Z","url":"/a","query":"x=1"}', // stale query dropped
      '{"timestamp":"2024-05-01T12:00:00Z","url":"/a?b","path":"/elsewhere"}', // path overwritten
      '{"timestamp":"2024-05-01T12:00:00Z","__proto__":{"x":1},"host":"a"}',
      '{"timestamp":"2024-05-01T12:00:00Z","parse_error":"claimed"}',
      '{"timestamp":"2024-05-01T12:00:00Z","host":"a","timestamp":"2024-05-01T13:00:00Z"}', // second timestamp wins
      '{"timestamp":"2024-05-01T12:00:00Z","http":{"status_code":200},"network":{}}', // nested shape
      '{"host":"a","timestamp":"2024-05-01T12:00:00Z"}', // timestamp not first
      '{"timestamp":"2024-05-01T12:00:00Z","host":"a"} ', // trailing space
      '{"timestamp":"not a time","host":"a"}',
      '{"timestamp":"2024-05-01T12:00:00Z","host":"a"',
      '{"timestamp":"2024-05-01T12:00:00Z","deep":' + '['.repeat(40) + ']'.repeat(40) + '}',
    ]) {
      const o = text(line);
      assert.ok(!isText(o), line);
      assert.deepEqual(o, parse(line), line);
    }
  });

  const value = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
  const key = fc.oneof(fc.constantFrom('host', 'status', 'url', 'path', 'query', 'layer', 'node', 'is_edge', 'resp_bytes', 'event_id', '__proto__', 'timestamp'), fc.string({ maxLength: 6 }));
  const space = fc.constantFrom('', ' ', '\t', '  ');

  test('for any line: text outcome ⇔ the same fields and timestamp as parse(), and members = slice + suffix (property)', () => {
    let texts = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value, space, space), { maxLength: 8 }), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), (members, date) => {
        const body = members.map(([k, v, a, b]) => `${a}${JSON.stringify(k)}${b}:${a}${JSON.stringify(v)}${b}`).join(',');
        const line = `{"timestamp":"${date.toISOString()}"${body ? ',' + body : ''}}`;
        const o = text(line);
        const ref = parse(line);
        if (!isText(o)) {
          assert.deepEqual(o, ref);
          return;
        }
        texts++;
        assert.equal(line.slice(o.start, o.end) + o.suffix, o.members);
        const p = parsed(ref);
        assert.equal(o.timestamp, p.timestamp);
        assert.deepEqual(JSON.parse('{' + o.members + '}'), p.fields);
        assert.deepEqual(o.fields, p.fields);
      }),
      { numRuns: 500 },
    );
    assert.ok(texts > 20, `the property saw the text path (${texts} times)`);
  });
});
