import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { filter } from '../../../src/transforms/filter.js';
import { build, log, metric, problems, run } from './events.js';

describe('filter', () => {
  test('keeps matching events, in order, and counts the others as discarded (filtered)', async () => {
    const { transform, ctx } = await build(filter, { condition: 'status >= 500 && host == "dl.k8s.io"' });
    const a = log({ status: 503, host: 'dl.k8s.io' });
    const b = log({ status: 200, host: 'dl.k8s.io' });
    const c = log({ status: 500, host: 'dl.k8s.io' });
    const d = log({ status: 502, host: 'other' });
    const e = log({ host: 'dl.k8s.io' });
    const out = run(transform, [a, b, c, d, e]);
    assert.deepEqual(out, [a, c]);
    assert.equal(out[0], a, 'events pass by reference, unchanged');
    assert.deepEqual(ctx.metrics.counts.discarded, { filtered: 3 });
    assert.equal(transform.mutates, undefined);
  });

  test('an all-matching batch discards nothing', async () => {
    const { transform, ctx } = await build(filter, { condition: 'exists(status)' });
    assert.equal(run(transform, [log({ status: 1 }), log({ status: 2 })]).length, 2);
    assert.deepEqual(ctx.metrics.counts.discarded, {});
  });

  test('metric events are tested on their tags plus name, kind and value', async () => {
    const { transform } = await build(filter, { condition: 'name == "requests" && pop == "IAD" && value >= 10' });
    const keep = metric('requests', 10, { pop: 'IAD' });
    const out = run(transform, [keep, metric('requests', 9, { pop: 'IAD' }), metric('requests', 50, { pop: 'FRA' }), metric('bytes', 50, { pop: 'IAD' })]);
    assert.deepEqual(out, [keep]);
  });

  test('a bad condition is a schema problem at the condition key, with the column', () => {
    const p = problems(filter, { condition: 'status >= ' });
    assert.equal(p.length, 1);
    assert.match(p[0]!, /^condition: unexpected end of condition .* at column 11/);
    assert.match(problems(filter, { condition: 'nope(status)' })[0]!, /^condition: unknown function "nope"/);
  });

  test('the schema is strict and needs inputs and a condition', () => {
    assert.deepEqual(problems(filter, { condition: 'status == 1', extra: 1 }).length, 1);
    assert.ok(problems(filter, {}).some((p) => p.startsWith('condition:')));
    assert.ok(filter.schema.safeParse({ type: 'filter', condition: 'a == 1' }).success === false);
  });
});
