import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LazyLogEvent, cloneEvent, makeLogEvent, memberValue, peekField } from '../../../src/core/event.js';

/** A member's value read from a whole object text (the members between its braces). */
const topLevelValue = (json: string, key: string): unknown => memberValue(json.slice(1, -1), key);
import { encodeNdjson, eventToJson } from '../../../src/delivery/encoding.js';
import { encodeEnvelopes, staticMeta } from '../../../sinks/splunk_hec_logs/encode.js';

test('memberValue finds top-level members only, through escapes and nested values', () => {
  const s = JSON.stringify({
    a: 'say "node":"x" \\',
    nested: { node: 'inner', list: [{ node: 1 }, '"node":2'] },
    'we"ird\\key': 7,
    node: 'cache-iad-1',
    n: -1.5e-7,
    t: true,
    z: null,
    u: '\u2028é\\"',
  });
  assert.equal(topLevelValue(s, 'node'), 'cache-iad-1');
  assert.equal(topLevelValue(s, 'we"ird\\key'), 7);
  assert.deepEqual(topLevelValue(s, 'nested'), { node: 'inner', list: [{ node: 1 }, '"node":2'] });
  assert.equal(topLevelValue(s, 'n'), -1.5e-7);
  assert.equal(topLevelValue(s, 't'), true);
  assert.equal(topLevelValue(s, 'z'), null);
  assert.equal(topLevelValue(s, 'u'), '\u2028é\\"');
  assert.equal(topLevelValue(s, 'list'), undefined);
  assert.equal(topLevelValue(s, 'missing'), undefined);
  assert.equal(topLevelValue('{}', 'node'), undefined);
});

test('memberValue agrees with JSON.parse for any object (property)', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
      const s = JSON.stringify(o);
      const parsed = JSON.parse(s) as Record<string, unknown>;
      for (const k of Object.keys(parsed)) assert.deepEqual(topLevelValue(s, k), parsed[k]);
    }),
    { numRuns: 300 },
  );
});

test('memberValue reads members text with any spacing and escaped names like JSON.parse (property)', () => {
  const space = fc.constantFrom('', ' ', '\t', ' \r\n ');
  // A name written with a \u escape for its first character, as JSON allows.
  const escaped = (k: string) => (k.length > 0 ? '"\\u' + k.charCodeAt(0).toString(16).padStart(4, '0') + JSON.stringify(k.slice(1)).slice(1) : '""');
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), space, space, fc.boolean()), { maxLength: 6 }), (members) => {
      const text = members.map(([k, v, a, b, esc]) => `${a}${esc ? escaped(k) : JSON.stringify(k)}${b}:${b}${JSON.stringify(v)}${a}`).join(',');
      const parsed = JSON.parse('{' + text + '}') as Record<string, unknown>;
      for (const [k] of members) assert.deepEqual(memberValue(text, k), parsed[k], `${k} in ${text}`);
      assert.equal(memberValue(text, 'not-a-generated-key-because-too-long'), undefined);
    }),
    { numRuns: 300 },
  );
  assert.equal(memberValue(' "a" : 1 , "host":"x"', 'host'), 'x');
  assert.equal(memberValue('"\\u0068ost":"esc"', 'host'), 'esc');
});

test('keys captured at parse time answer peeks; reading fields makes the fields authoritative', () => {
  const lazy = new LazyLogEvent('edge', 'edge:1', 0, '"node":"in-text","status":200', 'line', 4, ['node', 'missing'], ['captured', undefined]);
  assert.equal(peekField(lazy, 'node'), 'captured', 'the capture is used, not the text');
  assert.equal(peekField(lazy, 'missing'), undefined);
  assert.equal(peekField(lazy, 'status'), 200, 'other keys come from the text');
  lazy.fields.node = 'changed';
  assert.equal(peekField(lazy, 'node'), 'changed');
});

const FIELDS = { host: 'cdn.example', status: 200, node: 'cache-ams-1', url: '/a?b=1', nested: { node: 'no' } };

test('a lazy event encodes exactly like the same plain event, and materializes on read', () => {
  const lazy = LazyLogEvent.fromJson('edge', 'edge:1-0:42', 1714564800123, JSON.stringify(FIELDS), 'the line', 8);
  const plain = makeLogEvent('edge', 'edge:1-0:42', 1714564800123, structuredClone(FIELDS), 'the line', 8);
  assert.equal(eventToJson(lazy), eventToJson(plain));
  assert.equal(encodeNdjson([lazy, plain]), encodeNdjson([plain, plain]));
  const o = { host_key: 'node', indexed_fields: ['status', 'host'], source: 'edge' };
  assert.equal(encodeEnvelopes([lazy], o, staticMeta(o)).toString('utf8'), encodeEnvelopes([plain], o, staticMeta(o)).toString('utf8'));
  assert.equal(peekField(lazy, 'node'), 'cache-ams-1');
  // Serialized as a plain event (the disk buffer stores JSON.stringify(events)).
  assert.deepEqual(JSON.parse(JSON.stringify([lazy])), JSON.parse(JSON.stringify([plain])));
  assert.notEqual(lazy.fieldsMembers, undefined, 'peeking does not materialize');
  // Reading fields hands out a mutable object; the text is dropped so a change reaches the wire.
  lazy.fields.status = 503;
  assert.equal(lazy.fieldsMembers, undefined);
  assert.match(eventToJson(lazy), /"status":503/);
  assert.equal(peekField(lazy, 'status'), 503);
  const copy = cloneEvent(lazy);
  copy.fields.status = 200;
  assert.equal(lazy.fields.status, 503);
  assert.equal(copy.raw, 'the line');
  assert.equal(copy.id, 'edge:1-0:42');
});

test('splicesFields: only sinks that serialize fields, and not with except/only fields', async () => {
  const { splicesFields } = await import('../../../src/topology/splice.js');
  assert.equal(splicesFields('splunk_hec_logs', { encoding: { codec: 'ndjson' } }), true);
  assert.equal(splicesFields('http', { encoding: { codec: 'ndjson', except_fields: [] } }), true);
  assert.equal(splicesFields('datadog_logs', { encoding: { codec: 'ndjson', only_fields: ['host'] } }), false);
  assert.equal(splicesFields('http', { encoding: { codec: 'ndjson', except_fields: ['client_ip'] } }), false);
  assert.equal(splicesFields('splunk_hec_logs', { buffer: { type: 'disk' }, encoding: { codec: 'ndjson' } }), true, 'disk records keep lazy events lazy');
  assert.equal(splicesFields('live', {}), false);
  assert.equal(splicesFields('file', {}), false);
});
