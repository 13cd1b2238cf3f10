import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeLogEvent, makeMetricEvent, type Event } from '../../../src/core/event.js';
import { repoRoot } from '../../helpers/cli.js';
import { contentTypeFor, encodeEvents, encodeJsonArray, encodeNdjson, encodeRaw, eventToJson, eventToWire } from '../../../src/delivery/encoding.js';

// From the repository root, so that the compiled copy under dist/ reads the same files.
const golden = (name: string): string => readFileSync(join(repoRoot(), 'test/fixtures/golden', name), 'utf8');

/** The events the golden fixtures were written for (by hand, see fixtures/golden/README.md). */
export function goldenEvents(): Event[] {
  const edgeRaw = '{"timestamp":"2023-07-24T16:00:00Z","client_ip":"203.0.113.7"}';
  const edge = makeLogEvent('edge', 'edge:/var/log/edge/a.log:0', Date.UTC(2023, 6, 24, 16, 0, 0), {
    client_ip: '203.0.113.7', host: 'cdn.dl.k8s.io', url: '/release/v1.27.4/bin/linux/amd64/kubectl', method: 'GET', status: 200,
    cache_state: 'HIT', resp_bytes: 49864704, pop: 'IAD', is_edge: true, user_agent: 'curl/8.1.2 "x"',
  }, edgeRaw, edgeRaw.length);
  const originRaw = '"1693206014339368","172.71.142.38","1"';
  const origin = makeLogEvent('origin', 'origin:/logs/usage.csv:230', 1693206014339, {
    layer: 'origin', client_ip: '172.71.142.38', method: 'GET', url: '/v1/kanji/%E9%9B%86', status: 200, resp_bytes: 277,
    elapsed_us: 488000, host: 'kanjiapi.dev', referer: undefined, bucket: 'kanjiapi.dev', object: 'v1/kanji/集', operation: 'GET_Object',
  }, originRaw, originRaw.length);
  const badRaw = 'not json {"a":\tb}';
  const bad = makeLogEvent('edge', 'edge:/var/log/edge/a.log:412', Date.UTC(2023, 6, 24, 16, 0, 1, 500), { parse_error: 'expected a JSON object' }, badRaw, badRaw.length);
  const counter = makeMetricEvent('aggregate', 'aggregate:1', { name: 'edgetail_requests', kind: 'counter', value: 42, tags: { pop: 'IAD', layer: 'edge' }, timestamp: Date.UTC(2023, 6, 24, 16, 0, 10) });
  const hist = makeMetricEvent('aggregate', 'aggregate:2', {
    name: 'edgetail_elapsed_seconds', kind: 'histogram', buckets: [{ le: 0.1, count: 3 }, { le: 1, count: 4 }, { le: Infinity, count: 5 }], sum: 1.25, count: 5,
    timestamp: Date.UTC(2023, 6, 24, 16, 0, 10),
  });
  return [edge, origin, bad, counter, hist];
}

describe('golden payloads', () => {
  test('ndjson matches http-ndjson.txt byte for byte', () => {
    assert.equal(encodeNdjson(goldenEvents()), golden('http-ndjson.txt'));
  });
  test('json array matches http-json.txt', () => {
    assert.equal(encodeJsonArray(goldenEvents()), golden('http-json.txt'));
  });
  test('raw matches http-raw.txt (metrics fall back to JSON)', () => {
    assert.equal(encodeRaw(goldenEvents()), golden('http-raw.txt'));
  });
  test('except_fields drops event_id, user_agent and raw', () => {
    assert.equal(encodeNdjson(goldenEvents(), { except_fields: ['event_id', 'user_agent', 'raw'] }), golden('ndjson-except-fields.txt'));
  });
  test('encodeEvents dispatches on codec', () => {
    assert.equal(encodeEvents(goldenEvents(), 'ndjson'), golden('http-ndjson.txt'));
    assert.equal(encodeEvents(goldenEvents(), 'json'), golden('http-json.txt'));
    assert.equal(encodeEvents(goldenEvents(), 'raw'), golden('http-raw.txt'));
  });
});

describe('wire object', () => {
  test('only_fields keeps just the listed keys, timestamp and event_id included', () => {
    const [edge, , , counter] = goldenEvents();
    const opts = { only_fields: ['status', 'event_id'] };
    assert.deepEqual(eventToWire(edge!, opts), { status: 200, event_id: 'edge:/var/log/edge/a.log:0' });
    assert.equal(eventToJson(edge!, opts), '{"status":200,"event_id":"edge:/var/log/edge/a.log:0"}');
    assert.deepEqual(eventToWire(counter!, opts), { event_id: 'aggregate:1' });
  });
  test('only then except', () => {
    const [edge] = goldenEvents();
    assert.deepEqual(eventToWire(edge!, { only_fields: ['status', 'pop'], except_fields: ['pop'] }), { status: 200 });
  });
  test('empty except/only lists are the unfiltered path', () => {
    const [edge] = goldenEvents();
    assert.equal(eventToJson(edge!, { except_fields: [], only_fields: [] }) + '\n', golden('http-ndjson.txt').split('\n')[0] + '\n');
  });
  test('fields named timestamp or event_id never shadow the event’s own', () => {
    const ev = makeLogEvent('s', 'id-1', Date.UTC(2024, 4, 1, 12, 0, 0), { timestamp: 'bogus', status: 404, event_id: 'x' }, undefined, 0);
    assert.equal(eventToJson(ev), '{"timestamp":"2024-05-01T12:00:00.000Z","status":404,"event_id":"id-1"}');
  });
  test('a parse error without raw has no raw key; a field named raw does not shadow it', () => {
    const noRaw = makeLogEvent('s', 'a', Date.UTC(2024, 4, 1), { parse_error: 'x' }, undefined, 0);
    assert.equal(eventToJson(noRaw), '{"timestamp":"2024-05-01T00:00:00.000Z","parse_error":"x","event_id":"a"}');
    const shadow = makeLogEvent('s', 'b', Date.UTC(2024, 4, 1), { parse_error: 'x', raw: 'other' }, 'line', 4);
    assert.equal(eventToJson(shadow), '{"timestamp":"2024-05-01T00:00:00.000Z","raw":"line","parse_error":"x","event_id":"b"}');
  });
  test('a field named __proto__ stays data on both paths', () => {
    const ev = makeLogEvent('s', 'p', 0, JSON.parse('{"__proto__":1,"a":2}') as Record<string, unknown>, undefined, 0);
    const expected = '{"timestamp":"1970-01-01T00:00:00.000Z","__proto__":1,"a":2,"event_id":"p"}';
    assert.equal(eventToJson(ev), expected);
    assert.equal(eventToJson(ev, { except_fields: ['x'] }), expected);
  });
  test('empty fields and an unrepresentable timestamp', () => {
    assert.equal(eventToJson(makeLogEvent('s', 'e', 0, {}, undefined, 0)), '{"timestamp":"1970-01-01T00:00:00.000Z","event_id":"e"}');
    assert.equal(eventToJson(makeLogEvent('s', 'e', NaN, { a: 1 }, undefined, 0)), '{"a":1,"event_id":"e"}');
  });
  test('event ids with quotes and backslashes are escaped', () => {
    const ev = makeLogEvent('s', 'file:C:\\logs\\"a".log:7', 0, {}, undefined, 0);
    assert.deepEqual(JSON.parse(eventToJson(ev)).event_id, 'file:C:\\logs\\"a".log:7');
  });
  test('empty batches', () => {
    assert.equal(encodeNdjson([]), '');
    assert.equal(encodeJsonArray([]), '[]');
    assert.equal(encodeRaw([]), '');
  });
  test('content types', () => {
    assert.equal(contentTypeFor('ndjson'), 'application/x-ndjson');
    assert.equal(contentTypeFor('json'), 'application/json');
    assert.equal(contentTypeFor('raw'), 'text/plain; charset=utf-8');
  });
  // Same members; the order may differ only for integer-like keys, which JS objects always put first.
  test('fast string path holds the same members as the wire object (property)', () => {
    const key = fc.oneof(fc.constantFrom('status', 'host', 'timestamp', 'event_id', 'raw', 'parse_error', 'a"b', 'é'), fc.string());
    const value = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(undefined), fc.constant(null));
    fc.assert(
      fc.property(fc.dictionary(key, value), fc.option(fc.string(), { nil: undefined }), fc.integer({ min: -1e13, max: 1e13 }), fc.string(), (fields, raw, ts, id) => {
        const ev = makeLogEvent('s', id, ts, fields, raw, 0);
        assert.deepEqual(JSON.parse(eventToJson(ev)), JSON.parse(JSON.stringify(eventToWire(ev))));
      }),
      { numRuns: 500 },
    );
  });
});
