import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { route, UNMATCHED } from '../../../src/transforms/route.js';
import type { TransformOutputs } from '../../../src/core/component.js';
import { build, log, metric, problems } from './events.js';

describe('route', () => {
  const config = { route: { edge: 'layer == "edge"', errors: 'status >= 500', bypass: 'layer == "origin" && via_cdn == false' } };

  test('declares its outputs (names in config order, then _unmatched) on the def and the transform', async () => {
    const { transform, config: parsed } = await build(route, config);
    assert.deepEqual(transform.outputs, ['edge', 'errors', 'bypass', '_unmatched']);
    assert.deepEqual(route.outputs?.(parsed), ['edge', 'errors', 'bypass', '_unmatched']);
  });

  test('sends each event to every matching output; events matching none go to _unmatched', async () => {
    const { transform } = await build(route, config);
    const edgeOk = log({ layer: 'edge', status: 200 });
    const edgeErr = log({ layer: 'edge', status: 503 });
    const bypass = log({ layer: 'origin', via_cdn: false, status: 200 });
    const fill = log({ layer: 'origin', via_cdn: true, status: 200 });
    const bare = log({});
    const out = transform.process([edgeOk, edgeErr, bypass, fill, bare]) as TransformOutputs;
    assert.deepEqual(Object.keys(out).sort(), ['_unmatched', 'bypass', 'edge', 'errors']);
    assert.deepEqual(out.edge, [edgeOk, edgeErr]);
    assert.equal(out.edge![1], edgeErr, 'the first matching output gets the original event');
    assert.equal(out.errors!.length, 1);
    assert.notEqual(out.errors![0], edgeErr, 'a second output gets a copy');
    assert.deepEqual(out.errors![0], edgeErr);
    assert.notEqual((out.errors![0] as typeof edgeErr).fields, edgeErr.fields, 'with its own fields object');
    assert.deepEqual(out.bypass, [bypass]);
    assert.deepEqual(out[UNMATCHED], [fill, bare]);
  });

  test('every output is present (possibly empty) for every batch', async () => {
    const { transform } = await build(route, config);
    const out = transform.process([]) as TransformOutputs;
    assert.deepEqual(out, { edge: [], errors: [], bypass: [], _unmatched: [] });
  });

  test('metric events route on tags + name + value', async () => {
    const { transform } = await build(route, { route: { iad: 'pop == "IAD"', big: 'value > 100' } });
    const m1 = metric('requests', 5, { pop: 'IAD' });
    const m2 = metric('requests', 500, { pop: 'FRA' });
    const out = transform.process([m1, m2]) as TransformOutputs;
    assert.deepEqual(out.iad, [m1]);
    assert.deepEqual(out.big, [m2]);
    assert.deepEqual(out._unmatched, []);
  });

  test('schema: conditions checked per output, reserved and malformed names rejected, at least one route', () => {
    assert.deepEqual(problems(route, { route: { ok: 'status == 1', bad: 'status ==' } }).map((p) => p.split(':')[0]), ['route.bad']);
    assert.match(problems(route, { route: { _unmatched: 'status == 1' } })[0]!, /^route\._unmatched: "_unmatched" is reserved/);
    assert.match(problems(route, { route: { 'a.b': 'status == 1' } })[0]!, /^route\.a\.b: output names use letters/);
    assert.match(problems(route, { route: { __proto__x: 'status == 1' } })[0]!, /output names/);
    assert.match(problems(route, { route: {} })[0]!, /^route: expected at least one output/);
    assert.equal(problems(route, { route: { ok: 'status == 1' }, extra: true }).length, 1);
  });
});
