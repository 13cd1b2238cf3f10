/**
 * Outage (issue "Durable disk buffers"), short form: one sink's receiver is down for 8 s while lines
 * keep arriving; afterwards every line reached every sink. The rates and RSS are reported, not
 * asserted (timing is for bench/outage.ts, which runs the full 60 s outage).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOutage } from '../helpers/outage-scenario.js';

test('a sink down for 8 s: the others keep receiving, and after its return it receives everything', { timeout: 180_000 }, async (t) => {
  const r = await runOutage({ rate: 4000, warmupSecs: 2, normalSecs: 4, outageSecs: 8 });
  t.diagnostic(
    `lines ${r.lines}; during the outage a ran at ${r.sinks.a.ratio.toFixed(2)}× and b at ${r.sinks.b.ratio.toFixed(2)}× their normal rate; ` +
      `RSS ${r.rssMb.beforeOutage.toFixed(0)} → max ${r.rssMb.outageMax.toFixed(0)} MB; down's buffer ${(r.downBufferFileBytes / 1e6).toFixed(1)} MB on disk; caught up in ${r.catchUpSecs.toFixed(1)} s`,
  );
  for (const [name, s] of Object.entries(r.sinks)) {
    assert.deepEqual(s.missing, [], `${name}: lines never received`);
    assert.equal(s.distinct, r.lines, `${name}: every line`);
    assert.equal(s.mismatched, 0, name);
    assert.equal(s.foreign, 0, name);
  }
  assert.ok(r.sinks.a.outageRate > 0 && r.sinks.b.outageRate > 0, 'the other sinks kept receiving during the outage');
  assert.equal(r.exitCode, 0);
});
