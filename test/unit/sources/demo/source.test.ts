import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceContext } from '../../../../src/core/component.js';
import type { Event, LogEvent } from '../../../../src/core/event.js';
import type { Finalizer } from '../../../../src/core/finalizer.js';
import { demoSource } from '../../../../src/sources/demo/index.js';
import { testContext, waitFor } from '../../../helpers/context.js';

interface Harness {
  ctx: SourceContext & { metrics: ReturnType<typeof testContext>['metrics'] };
  batches: Event[][];
  finalizers: (Finalizer | undefined)[];
  abort: AbortController;
  /** While set, emit() waits on it (backpressure). */
  gate: Promise<void> | undefined;
  inEmit: number;
}

function harness(id = 'demo1'): Harness {
  const abort = new AbortController();
  const h: Harness = { ctx: undefined as never, batches: [], finalizers: [], abort, gate: undefined, inEmit: 0 };
  h.ctx = {
    ...testContext(id, 'demo'),
    signal: abort.signal,
    emit: async (events, fin) => {
      h.inEmit++;
      h.batches.push(events);
      h.finalizers.push(fin);
      if (h.gate) await h.gate;
      fin?.release('delivered'); // the topology releases the creator's reference once handed over
      h.inEmit--;
    },
  };
  return h;
}

const parse = (raw: Record<string, unknown>) => demoSource.schema.parse({ type: 'demo', ...raw });

describe('demo source', () => {
  test('schema defaults and strictness', () => {
    assert.deepEqual(parse({}), { type: 'demo', scenario: 'cutover', rate: 200, seed: 1, duration_secs: 600, time_scale: 1 });
    assert.equal(demoSource.schema.safeParse({ type: 'demo', rat: 5 }).success, false);
    assert.equal(demoSource.schema.safeParse({ type: 'demo', scenario: 'other' }).success, false);
    assert.equal(demoSource.schema.safeParse({ type: 'demo', rate: 0 }).success, false);
  });

  test('max_lines: emits exactly that many parsed events with stable ids, then finishes', async () => {
    const h = harness();
    const before = Date.now();
    const src = await demoSource.build(parse({ rate: 20_000, seed: 7, max_lines: 2500 }), h.ctx);
    await src.start();
    await src.finished;
    const after = Date.now();
    const events = h.batches.flat() as LogEvent[];
    assert.equal(events.length, 2500);
    assert.deepEqual(events.map((e) => e.id), Array.from({ length: 2500 }, (_, i) => `demo1:7:${i}`));
    for (const b of h.batches) assert.ok(b.length >= 1 && b.length <= 1000, `batch of ${b.length}`);
    assert.ok(h.finalizers.every((f) => f !== undefined), 'every batch carries a finalizer');
    const layers = new Set<unknown>();
    for (const e of events) {
      assert.equal(e.type, 'log');
      assert.equal(e.source, 'demo1');
      assert.equal(e.fields.parse_error, undefined, `parse error: ${String(e.fields.parse_error)} in ${e.raw}`);
      // Origin lines are written at completion (now); their event time is the request start.
      const took = e.fields.layer === 'origin' ? Math.ceil(Number(e.fields.elapsed_us) / 1000) : 0;
      assert.ok(e.timestamp >= before - 1000 - took && e.timestamp <= after + 1000, `live timestamp ${e.timestamp}`);
      layers.add(e.fields.layer);
      if (e.fields.layer === 'edge') assert.ok(e.raw!.startsWith('{"timestamp":'), e.raw);
      else assert.ok(e.raw!.startsWith('"'), e.raw);
    }
    assert.deepEqual(layers, new Set(['edge', 'origin']));
    assert.equal(h.ctx.metrics.counts.received, 2500);
    await src.stop();
    assert.equal(src.describe!().acknowledged, 2500);
  });

  test('the same seed replays the same lines', async () => {
    const run = async () => {
      const h = harness('d');
      // A tiny time_scale pins the scenario at its start, so wall-clock jitter cannot move the mix.
      const src = await demoSource.build(parse({ rate: 50_000, seed: 3, max_lines: 300, time_scale: 1e-6 }), h.ctx);
      await src.start();
      await src.finished;
      await src.stop();
      // Timestamps are wall-clock; everything else is the scenario's.
      return (h.batches.flat() as LogEvent[]).map((e) => ({ ...e.fields, timestamp: undefined }));
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(b, a);
  });

  test('awaits emit: no new batch while the previous one is held (backpressure)', async () => {
    const h = harness();
    let open!: () => void;
    h.gate = new Promise((r) => (open = r));
    const src = await demoSource.build(parse({ rate: 10_000 }), h.ctx);
    await src.start();
    await waitFor(() => h.batches.length === 1, 'the first batch');
    // Several ticks pass while the batch is held; the source must not pile up more emits.
    await waitFor(() => (src.describe!().emitted as number) > 0 && h.inEmit === 1, 'emit in progress');
    const seen = h.batches.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.batches.length, seen);
    assert.equal(h.inEmit, 1);
    h.gate = undefined;
    open();
    await waitFor(() => h.batches.length >= 3, 'batches after release');
    await src.stop();
    const n = h.batches.length;
    assert.equal(h.inEmit, 0, 'stop() resolves only after the emit in progress');
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(h.batches.length, n, 'nothing after stop()');
  });

  test('the topology signal stops it too', async () => {
    const h = harness();
    const src = await demoSource.build(parse({ rate: 1000 }), h.ctx);
    await src.start();
    await waitFor(() => h.batches.length >= 1, 'a batch');
    h.abort.abort();
    await src.stop();
    assert.equal(src.finished, undefined, 'an unbounded demo has no finished promise');
  });
});
