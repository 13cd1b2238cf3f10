import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { remap } from '../../../src/transforms/remap.js';
import type { LogEvent } from '../../../src/core/event.js';
import { build, log, metric, problems, run } from './events.js';

const fieldsAfter = async (config: Record<string, unknown>, fields: Record<string, unknown>) => {
  const { transform } = await build(remap, config);
  const [e] = run(transform, [log(fields)]) as LogEvent[];
  return e!.fields;
};

describe('remap', () => {
  test('set literals of every type', async () => {
    assert.deepEqual(await fieldsAfter({ set: { service: 'k8s-downloads', weight: 2, is_edge: false } }, { a: 1 }), { a: 1, service: 'k8s-downloads', weight: 2, is_edge: false });
  });

  test('a whole-value template copies the field with its type; missing source → not set', async () => {
    assert.deepEqual(await fieldsAfter({ set: { code: '{{ status }}', other: '{{missing}}' } }, { status: 503 }), { status: 503, code: 503 });
  });

  test('mixed templates render as text; missing fields render empty', async () => {
    assert.deepEqual(await fieldsAfter({ set: { key: '{{ pop }}/{{ release }}:{{ nope }}!' } }, { pop: 'IAD', release: 'v1.27.4' }), { pop: 'IAD', release: 'v1.27.4', key: 'IAD/v1.27.4:!' });
  });

  test('set entries apply in the order written, each seeing the previous ones', async () => {
    assert.deepEqual(await fieldsAfter({ set: { a: 'x', b: '{{ a }}-y' } }, {}), { a: 'x', b: 'x-y' });
  });

  test('rename moves values (overwriting the target); a missing source does nothing', async () => {
    assert.deepEqual(await fieldsAfter({ rename: { cs_host: 'host', nope: 'x', same: 'same' } }, { cs_host: 'a', host: 'old', same: 1 }), { host: 'a', same: 1 });
  });

  test('delete removes fields', async () => {
    assert.deepEqual(await fieldsAfter({ delete: ['referer', 'missing'] }, { referer: 'r', status: 1 }), { status: 1 });
  });

  test('order is always set → rename → delete, whatever the YAML order', async () => {
    // set reads y before the rename moves it; the rename target is then deleted.
    const config = { delete: ['z'], rename: { y: 'z' }, set: { x: '{{ y }}' } };
    assert.deepEqual(await fieldsAfter(config, { y: 'v' }), { x: 'v' });
  });

  test('mutates in place, metric events untouched', async () => {
    const { transform } = await build(remap, { set: { a: 1 }, delete: ['pop'] });
    assert.equal(transform.mutates, true);
    const m = metric('x', 1, { pop: 'IAD' });
    run(transform, [m]);
    assert.deepEqual(m.tags, { pop: 'IAD' });
  });

  test('schema: literal values only, reserved names rejected, strict', () => {
    assert.match(problems(remap, { set: { a: { nested: 1 } } })[0]!, /^set\.a: expected a string, number or boolean/);
    assert.match(problems(remap, { set: { timestamp: 1 } })[0]!, /^set\.timestamp: reserved/);
    assert.match(problems(remap, { rename: { a: 'event_id' } })[0]!, /^rename\.a: reserved/);
    assert.equal(problems(remap, { sett: {} }).length, 1);
    assert.deepEqual(remap.schema.parse({ type: 'remap', inputs: ['a'] }), { type: 'remap', inputs: ['a'], set: {}, rename: {}, delete: [] });
  });
});
