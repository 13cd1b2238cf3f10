import { test } from 'node:test';
import assert from 'node:assert/strict';
import { condition, conditionFields, matches } from '../../../src/transforms/condition.js';
import { compileCondition } from '../../../src/core/expression.js';
import { log, metric } from './events.js';

test('log events are seen through their fields (the same object, no copy)', () => {
  const e = log({ status: 200 });
  assert.equal(conditionFields(e), e.fields);
});

test('metric events are seen as tags + name + kind + value, which win over same-named tags', () => {
  const m = metric('requests', 5, { pop: 'IAD', name: 'tag-name' });
  assert.deepEqual(conditionFields(m), { pop: 'IAD', name: 'requests', kind: 'counter', value: 5 });
  assert.equal(matches(compileCondition('name == "requests" && value == 5'), m), true);
});

test('the condition schema compiles the expression and reports its error', () => {
  assert.equal(condition().safeParse('status >= 500').success, true);
  const r = condition().safeParse('status >=');
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0]!.message, /at column 10/);
  assert.match(condition().safeParse(5).error!.issues[0]!.message, /expected a condition/);
});
