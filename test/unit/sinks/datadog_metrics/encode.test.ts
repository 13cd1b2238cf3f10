import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMetricEvent } from '../../../../src/core/event.js';
import { AbsoluteDeltas, toSeries, type SeriesOptions } from '../../../../sinks/datadog_metrics/encode.js';

const opts: SeriesOptions = { namespace: undefined, tags: [], hostTag: 'host', counterType: 'count', interval: undefined };
const T = 1_700_000_000_000;
const total = (id: string, value: number, pop = 'IAD') => makeMetricEvent('s', id, { name: 'req', kind: 'counter', value, tags: { pop }, timestamp: T, absolute: true });
const points = (s: ReturnType<typeof toSeries>) => s.map((x) => [x.metric, x.tags?.join(','), x.points[0]!.value]);

describe('datadog_metrics encoding of running totals', () => {
  test('absolute counters become increments per series; the first total is a baseline; a drop is a reset', () => {
    const d = new AbsoluteDeltas();
    const none = () => assert.fail('no value is skipped');
    assert.deepEqual(points(toSeries([total('1', 100), total('2', 5, 'LHR')], opts, none, d)), []);
    assert.deepEqual(points(toSeries([total('3', 130), total('4', 5, 'LHR')], opts, none, d)), [
      ['req', 'pop:IAD', 30],
      ['req', 'pop:LHR', 0],
    ]);
    assert.deepEqual(points(toSeries([total('5', 12)], opts, none, d)), [['req', 'pop:IAD', 12]], 'the process restarted: 12 since then');
    // increments (no flag) pass through as they are
    const inc = makeMetricEvent('agg', '6', { name: 'hits', kind: 'counter', value: 7, tags: {}, timestamp: T });
    assert.deepEqual(points(toSeries([inc, inc], opts, none, d)), [
      ['hits', undefined, 7],
      ['hits', undefined, 7],
    ]);
  });

  test('absolute histograms: count and sum become increments', () => {
    const d = new AbsoluteDeltas();
    const h = (id: string, count: number, sum: number) =>
      makeMetricEvent('s', id, { name: 'lat', kind: 'histogram', buckets: [{ le: Infinity, count }], count, sum, tags: {}, timestamp: T, absolute: true });
    assert.deepEqual(points(toSeries([h('1', 10, 5)], opts, () => {}, d)), []);
    assert.deepEqual(points(toSeries([h('2', 14, 7)], opts, () => {}, d)), [
      ['lat.count', undefined, 4],
      ['lat.sum', undefined, 2],
      ['lat.avg', undefined, 0.5],
    ]);
  });
});
