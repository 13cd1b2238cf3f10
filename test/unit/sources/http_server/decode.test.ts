import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyLines, decodeEvents } from '../../../../src/sources/http_server/decode.js';
import { getFormat } from '../../../../src/formats/index.js';

const opts = (framing: 'auto' | 'lines' | 'json_array' = 'auto', maxLineBytes = 1000) => ({
  framing, format: getFormat('auto'), source: 'fastly', idPrefix: 'fastly:abc:', arrival: 1_000, maxLineBytes,
});

test('lines: \\n and \\r\\n, blank lines skipped, last line without newline kept', () => {
  assert.deepEqual(bodyLines('a\r\nb\n\n  \nc', 'lines'), ['a', 'b', 'c']);
  assert.deepEqual(bodyLines('', 'lines'), []);
});

test('json array (json_format 1): objects re-serialized, strings kept; auto detects the [', () => {
  assert.deepEqual(bodyLines(' [{"a":1},"x y",2]', 'auto'), ['{"a":1}', 'x y', '2']);
  assert.deepEqual(bodyLines('[{"a":1}]', 'json_array'), ['{"a":1}']);
  // Not valid JSON: read as lines, nothing dropped.
  assert.deepEqual(bodyLines('[{"a":1}\n{"b":2}', 'auto'), ['[{"a":1}', '{"b":2}']);
  // lines framing never looks for an array.
  assert.deepEqual(bodyLines('[1,2]', 'lines'), ['[1,2]']);
});

test('events: parsed NDJSON, classic-prefixed lines, and a malformed line kept as parse_error', () => {
  const body = Buffer.from([
    '{"timestamp":"2024-05-01T12:00:00Z","status":200,"pop":"IAD","path":"/a"}',
    '<134>2024-05-01T12:00:01Z cache-fra-eddf8230-FRA myendpoint[1]: {"status":404,"path":"/b"}',
    'not a log line',
  ].join('\n') + '\n');
  const { events, stats } = decodeEvents(body, opts());
  assert.equal(events.length, 3);
  assert.deepEqual(events.map((e) => e.id), ['fastly:abc:0', 'fastly:abc:1', 'fastly:abc:2']);
  assert.equal(events[0]!.timestamp, Date.UTC(2024, 4, 1, 12, 0, 0));
  assert.equal(events[0]!.fields.status, 200);
  assert.equal(events[1]!.timestamp, Date.UTC(2024, 4, 1, 12, 0, 1));
  assert.equal(events[1]!.fields.status, 404);
  assert.equal(events[1]!.fields.pop, 'FRA');
  assert.equal(events[1]!.fields.node, 'cache-fra-eddf8230-FRA');
  assert.equal(typeof events[2]!.fields.parse_error, 'string');
  assert.equal(events[2]!.raw, 'not a log line');
  assert.equal(events[2]!.timestamp, 1_000);
  assert.equal(stats.parseFailures, 1);
  assert.equal(stats.truncated, 0);
  assert.equal(stats.invalidUtf8, false);
  assert.equal(stats.bytes, body.length);
});

test('long lines are cut to max_line_bytes on a character boundary and counted', () => {
  const line = 'é'.repeat(10); // 20 bytes
  const { events, stats } = decodeEvents(Buffer.from(`${line}\nshort\n`), { ...opts('lines', 7), format: getFormat('raw') });
  assert.equal(stats.truncated, 1);
  assert.equal(events[0]!.raw, 'ééé'); // 6 bytes: the 4th é would need bytes 7–8
  assert.equal(events[1]!.raw, 'short');
});

test('invalid UTF-8 is flagged, the line still becomes an event', () => {
  const { events, stats } = decodeEvents(Buffer.from([0x61, 0xff, 0x62, 0x0a]), { ...opts('lines'), format: getFormat('raw') });
  assert.equal(stats.invalidUtf8, true);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.raw, 'a\ufffdb');
});
