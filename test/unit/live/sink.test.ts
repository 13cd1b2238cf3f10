import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLogEvent } from '../../../src/core/event.js';
import { getLiveStore, registerLiveStore } from '../../../src/live/registry.js';
import { liveSink } from '../../../sinks/live/index.js';
import { testContext } from '../../helpers/context.js';

test('live sink: defaults, shared store, default service id, late events discarded, release on close', async () => {
  registerLiveStore(undefined);
  const cfg = liveSink.schema.parse({ type: 'live', inputs: ['edge'] });
  assert.equal(cfg.retention_secs, 900);
  assert.equal(cfg.service_id, 'default');
  assert.equal(liveSink.batchDefaults?.timeout_secs, 0.2);
  assert.throws(() => liveSink.schema.parse({ type: 'live', inputs: ['edge'], nope: 1 }));

  const ctx = testContext('live', 'live');
  const a = await liveSink.build(cfg, ctx);
  const b = await liveSink.build(liveSink.schema.parse({ type: 'live', inputs: ['x'], service_id: 'svcB' }), ctx);
  const store = getLiveStore();
  assert.ok(store);
  const now = Date.now();
  const events = [
    makeLogEvent('s', 's:1', now, { pop: 'IAD', status: 200 }, undefined, 1),
    makeLogEvent('s', 's:2', now, { pop: 'IAD', status: 200, service_id: 'own' }, undefined, 1),
    makeLogEvent('s', 's:3', now - 3_600_000, { pop: 'IAD', status: 200 }, undefined, 1),
  ];
  assert.deepEqual(await a.send(await a.encode(events), AbortSignal.timeout(30_000)), { kind: 'ok' });
  assert.deepEqual(await b.send(await b.encode(events.slice(0, 1)), AbortSignal.timeout(30_000)), { kind: 'ok' });
  assert.deepEqual(store.serviceIds().sort(), ['default', 'own', 'svcB']);
  assert.deepEqual(ctx.metrics.counts.discarded, { late: 1 });
  await a.close?.();
  assert.equal(getLiveStore(), store);
  await b.close?.();
  assert.equal(getLiveStore(), undefined);
});
