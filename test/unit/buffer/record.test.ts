import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyLogEvent, makeLogEvent, makeMetricEvent, peekField, type Event } from '../../../src/core/event.js';
import { encodeNdjson } from '../../../src/delivery/encoding.js';
import { HEADER_BYTES, RECORD_MAGIC, decodeEvents, encodeRecord, validRecordAt } from '../../../src/buffer/disk/record.js';
import { crc32c } from '../../../src/buffer/disk/crc32c.js';
import { parseFastlyText } from '../../../src/formats/fastly_json.js';
import type { ParsedText } from '../../../src/formats/types.js';

const LINE = '{"timestamp":"2024-05-01T12:00:00.250Z","host":"cdn.example","status":200,"node":"cache-é-1","url":"/a/b?x=1","ua":"😀"}';

function canonical(span = true): LazyLogEvent {
  const t = parseFastlyText(LINE) as ParsedText;
  assert.equal(t.text, true);
  const ev = new LazyLogEvent('edge', 'edge:1-0:0', t.timestamp, t.members, LINE, Buffer.byteLength(LINE), ['node', 'missing'], [t.fields.node, undefined]);
  return span ? ev.setSpan(t.start, t.end, t.suffix) : ev;
}

function events(): Event[] {
  return [
    canonical(),
    LazyLogEvent.fromJson('edge', 'edge:1-0:99', 1714564800000, JSON.stringify({ host: 'h', nested: { a: [1, 'x'] } }), undefined, 10),
    makeLogEvent('edge', 'edge:1-0:200', 1714564801000, { parse_error: 'invalid JSON' }, 'not json ✓', 11),
    makeMetricEvent('m', 'm:1', { name: 'edge_requests', kind: 'histogram', buckets: [{ le: 0.1, count: 1 }, { le: Infinity, count: 3 }], sum: 2, count: 3, tags: { pop: 'IAD' }, timestamp: 1714564802000, absolute: true }),
  ];
}

test('records round-trip every event; lazy ones stay lazy with the same wire JSON, span and peeked fields', () => {
  const evs = events();
  const before = encodeNdjson(evs);
  const rec = encodeRecord(evs, 123);
  assert.equal(rec.readUInt32LE(0), RECORD_MAGIC);
  assert.equal(rec.readUInt32LE(12), evs.length);
  assert.equal(rec.readUInt32LE(16), 123);
  assert.ok(validRecordAt(rec, 0));
  const back = decodeEvents(rec.subarray(HEADER_BYTES));
  assert.equal(back.length, evs.length);
  assert.equal(encodeNdjson(back), before);
  const lazy = back[0] as LazyLogEvent;
  assert.ok(lazy instanceof LazyLogEvent && lazy.fieldsMembers !== undefined, 'not parsed on the way through the disk');
  assert.deepEqual(lazy.membersSpan, (evs[0] as LazyLogEvent).membersSpan);
  assert.deepEqual(lazy.peeked, { keys: ['node', 'missing'], values: ['cache-é-1', undefined] });
  assert.equal(peekField(lazy, 'node'), 'cache-é-1');
  assert.equal(lazy.raw, LINE);
  assert.equal(lazy.fields.ua, '😀');
  assert.ok(back[1] instanceof LazyLogEvent && back[1].raw === undefined && back[1].membersSpan === undefined);
  assert.deepEqual(back[2], evs[2]);
  assert.deepEqual(back[3], evs[3]);
  // The canonical line is stored once: with the span the record holds the line and a short suffix,
  // without it the line and the whole members text.
  const t = parseFastlyText(LINE) as ParsedText;
  const saved = encodeRecord([canonical(false)], 1).length - encodeRecord([canonical()], 1).length;
  assert.equal(saved, Buffer.byteLength(t.members) - Buffer.byteLength(t.suffix));
});

test('version 1 records (a JSON array payload) are still read', () => {
  const evs = events().slice(1);
  const payload = Buffer.from(JSON.stringify(evs));
  const rec = Buffer.alloc(HEADER_BYTES + payload.length);
  rec.writeUInt32LE(RECORD_MAGIC, 0);
  rec.writeUInt32LE(payload.length, 4);
  rec.writeUInt32LE(evs.length, 12);
  payload.copy(rec, HEADER_BYTES);
  rec.writeUInt32LE(crc32c(rec, 12), 8);
  assert.ok(validRecordAt(rec, 0));
  const back = decodeEvents(rec.subarray(HEADER_BYTES));
  assert.equal(encodeNdjson(back), encodeNdjson(evs));
});

test('a version 2 payload cut short or with an unknown entry throws (the reader reports it as corrupt)', () => {
  const rec = encodeRecord(events(), 1);
  const payload = rec.subarray(HEADER_BYTES);
  assert.throws(() => decodeEvents(payload.subarray(0, payload.length - 5)), /cut off/);
  const bad = Buffer.from(payload);
  bad[1] = 7;
  assert.throws(() => decodeEvents(bad), /unknown record entry 7/);
});
