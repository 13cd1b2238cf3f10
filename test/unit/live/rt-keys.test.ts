import { test } from 'node:test';
import assert from 'node:assert/strict';
import { K, RT_KEYS, STATUS_SLOT, StateClass, classifyState, statusClassSlot } from '../../../src/live/rt-keys.js';

test('cache states map to their rt class; -CLUSTER / -REFRESH suffixes are ignored', () => {
  const cases: Array<[string, StateClass]> = [
    ['HIT', StateClass.Hit], ['HIT-STALE', StateClass.Hit], ['HIT-CLUSTER', StateClass.Hit], ['HIT-STALE-CLUSTER', StateClass.Hit],
    ['HIT-SYNTH', StateClass.Synth], ['HIT-SYNTH-CLUSTER', StateClass.Synth],
    ['MISS', StateClass.Miss], ['MISS-CLUSTER', StateClass.Miss], ['MISS-REFRESH', StateClass.Miss],
    ['PASS', StateClass.Pass], ['HITPASS', StateClass.Pass], ['PASS-CLUSTER', StateClass.Pass], ['HITPASS-CLUSTER', StateClass.Pass],
    ['ERROR', StateClass.Error], ['ERROR-LOSTHDR', StateClass.Error], ['miss', StateClass.Miss], ['', StateClass.Other],
  ];
  for (const [s, c] of cases) assert.equal(classifyState(s), c, s);
});

test('status slots', () => {
  assert.equal(statusClassSlot(204), K.status_2xx);
  assert.equal(statusClassSlot(599), K.status_5xx);
  assert.equal(statusClassSlot(99), -1);
  assert.equal(statusClassSlot(600), -1);
  assert.equal(STATUS_SLOT[503], K.status_503);
  assert.equal(STATUS_SLOT[418], -1);
  assert.equal(RT_KEYS.includes('bandwidth' as never), false);
});
