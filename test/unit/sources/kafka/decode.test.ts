import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLogEvent, makeMetricEvent } from '../../../../src/core/event.js';
import { encodeNdjson } from '../../../../src/delivery/encoding.js';
import { decodeEdgetailJson } from '../../../../src/sources/kafka/decode.js';

/** What the kafka sink writes (one wire JSON object per message) comes back as the same event. */
test('edgetail_json: logs and metrics (with the absolute flag) survive agent → kafka → collector', () => {
  const T = 1_714_564_800_000;
  const metric = makeMetricEvent('scrape', 'm-1', { name: 'edge_requests_total', kind: 'counter', value: 42, tags: { pop: 'IAD' }, timestamp: T, absolute: true });
  const hist = makeMetricEvent('agg', 'h-1', { name: 'ttfb', kind: 'histogram', buckets: [{ le: 0.1, count: 2 }, { le: Infinity, count: 3 }], sum: 0.7, count: 3, tags: {}, timestamp: T });
  const log = makeLogEvent('edge', 'edge:1-2-3:0', T, { status: 200, pop: 'IAD' }, undefined, 40);
  const lines = encodeNdjson([metric, hist, log]).trimEnd().split('\n');
  const [m, h, l] = lines.map((value, i) => decodeEdgetailJson({ value, id: `t:0:${i}`, arrival: 0 }, 'bus'));
  assert.equal(m!.type, 'metric');
  if (m!.type !== 'metric' || h!.type !== 'metric' || l!.type !== 'log') return;
  assert.deepEqual([m.name, m.kind, m.value, m.tags, m.timestamp, m.absolute, m.id], ['edge_requests_total', 'counter', 42, { pop: 'IAD' }, T, true, 'm-1']);
  assert.deepEqual([h.kind, h.buckets, h.sum, h.count, h.absolute], ['histogram', [{ le: 0.1, count: 2 }, { le: Infinity, count: 3 }], 0.7, 3, undefined]);
  assert.deepEqual([l.fields, l.id, l.timestamp], [{ status: 200, pop: 'IAD' }, 'edge:1-2-3:0', T]);
});
