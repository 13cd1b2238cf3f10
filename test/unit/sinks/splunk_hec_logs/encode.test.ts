import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLogEvent, type Event } from '../../../../src/core/event.js';
import { encodeEnvelopes, hecTime, rawQuery, staticMeta, type EnvelopeOptions } from '../../../../sinks/splunk_hec_logs/encode.js';
import { splunkHecSinkSchema } from '../../../../sinks/splunk_hec_logs/config.js';
import { splitEnvelopes } from '../../../helpers/hec-receiver.js';
import { repoRoot } from '../../../helpers/cli.js';

const golden = (name: string): string => readFileSync(join(repoRoot(), 'test/fixtures/golden', name), 'utf8');

/** The three events of test/fixtures/golden/hec-event.txt. */
function goldenHecEvents(): Event[] {
  return [
    makeLogEvent('edge', 'edge:a.log:0', Date.UTC(2024, 4, 1, 12, 0, 0, 123), { status: 200, pop: 'IAD', node: 'cache-iad1', path: '/release/v1.30.0/bin/linux/amd64/kubectl' }, 'line 0', 6),
    makeLogEvent('edge', 'edge:a.log:1', Date.UTC(2024, 4, 1, 12, 0, 1), { status: 404, pop: 'LHR', path: '/x' }, 'line 1', 6),
    makeLogEvent('edge', 'edge:a.log:2', Date.UTC(2024, 4, 1, 12, 0, 2, 500), { node: 'cache-ams3', parse_error: 'unexpected token' }, 'garbage line', 12),
  ];
}

const opts: EnvelopeOptions = { host_key: 'node', index: 'cdn', source: 'fastly', sourcetype: 'fastly:json', indexed_fields: ['pop', 'status'] };

describe('HEC /event envelopes', () => {
  test('golden: concatenated envelopes, byte for byte', () => {
    assert.equal(encodeEnvelopes(goldenHecEvents(), opts, staticMeta(opts)).toString('utf8'), golden('hec-event.txt'));
  });

  test('the golden body is what a strict HEC parser reads as three envelopes', () => {
    const envs = splitEnvelopes(golden('hec-event.txt')) as Array<Record<string, unknown>>;
    assert.equal(envs.length, 3);
    assert.equal(envs[0]!.time, 1714564800.123);
    assert.equal(envs[1]!.host, undefined);
  });

  test('without metadata or time: only what is set, no stray commas', () => {
    const o: EnvelopeOptions = { host_key: 'node', indexed_fields: [] };
    const ev = makeLogEvent('s', 'id1', NaN, { a: 1 }, undefined, 1);
    assert.equal(encodeEnvelopes([ev], o, staticMeta(o)).toString('utf8'), '{"event":{"a":1,"event_id":"id1"}}');
    const ev2 = makeLogEvent('s', 'id2', NaN, { node: 'n1' }, undefined, 1);
    assert.equal(encodeEnvelopes([ev2], opts, staticMeta(opts)).toString('utf8'), '{"host":"n1","source":"fastly","sourcetype":"fastly:json","index":"cdn","event":{"node":"n1","event_id":"id2"}}');
  });

  test('encoding.except_fields shapes the event; indexed fields skip objects and null', () => {
    const o: EnvelopeOptions = { host_key: 'node', indexed_fields: ['tags', 'geo', 'none', 'ok'], wire: { except_fields: ['event_id'] } };
    const ev = makeLogEvent('s', 'id1', 1000, { tags: ['a', 2], geo: { c: 'US' }, none: null, ok: true }, undefined, 1);
    assert.equal(encodeEnvelopes([ev], o, staticMeta(o)).toString('utf8'), '{"time":1,"event":{"timestamp":"1970-01-01T00:00:01.000Z","tags":["a",2],"geo":{"c":"US"},"none":null,"ok":true},"fields":{"tags":["a","2"],"ok":"true"}}');
  });

  test('hecTime: epoch seconds with the milliseconds as fraction', () => {
    assert.equal(hecTime(1714564800123), '1714564800.123');
    assert.equal(hecTime(1714564800000), '1714564800');
    assert.equal(hecTime(1714564800001), '1714564800.001');
    assert.equal(hecTime(Infinity), undefined);
  });

  test('rawQuery carries the metadata that is set', () => {
    assert.equal(rawQuery({ index: 'cdn', sourcetype: 'fastly:json' }), '?index=cdn&sourcetype=fastly%3Ajson');
    assert.equal(rawQuery({}), '');
  });
});

describe('splunk_hec_logs config', () => {
  const base = { type: 'splunk_hec_logs', inputs: ['edge'], endpoint: 'https://splunk.example.com:8088', token: 'abc-123' };

  test('defaults', () => {
    const c = splunkHecSinkSchema.parse(base);
    assert.equal(c.endpoint_target, 'event');
    assert.equal(c.host_key, 'node');
    assert.deepEqual(c.indexed_fields, []);
    assert.deepEqual(c.acknowledgements, { indexer_acknowledgements_enabled: false, query_interval_secs: 1, timeout_secs: 20 });
    assert.equal(c.compression, 'none');
    assert.equal(String(c.token), '[secret]');
  });

  test('token is required; endpoint must be the base URL; unknown keys are rejected', () => {
    assert.equal(splunkHecSinkSchema.safeParse({ ...base, token: '' }).success, false);
    assert.equal(splunkHecSinkSchema.safeParse({ ...base, token: undefined }).success, false);
    const r = splunkHecSinkSchema.safeParse({ ...base, endpoint: 'https://splunk.example.com:8088/services/collector/event' });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /base URL/);
    assert.equal(splunkHecSinkSchema.safeParse({ ...base, endpont: 'x' }).success, false);
    assert.equal(splunkHecSinkSchema.safeParse({ ...base, acknowledgements: { enabled: true } }).success, false);
    assert.equal(splunkHecSinkSchema.safeParse({ ...base, endpoint_target: 'json' }).success, false);
  });
});
