import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLogEvent, makeMetricEvent } from '../../../../src/core/event.js';
import type { Logger } from '../../../../src/core/component.js';
import { blackholeSinkSchema } from '../../../../sinks/blackhole/config.js';
import { buildBlackholeSink } from '../../../../sinks/blackhole/sink.js';
import { testContext, waitFor } from '../../../helpers/context.js';

test('discards and counts events and bytes', async () => {
  const d = buildBlackholeSink(blackholeSinkSchema.parse({ type: 'blackhole', inputs: ['x'] }), testContext());
  const evs = [
    makeLogEvent('s', 'a', 0, {}, 'abc', 3),
    makeLogEvent('s', 'b', 0, {}, 'abcdefg', 7),
    makeMetricEvent('m', 'c', { name: 'requests', kind: 'counter', value: 1, timestamp: 0 }), // size 64 + 8
  ];
  const p = await d.encode(evs);
  assert.deepEqual(p, { events: 3, bytes: 82 });
  assert.deepEqual(await d.send(p, AbortSignal.timeout(30_000)), { kind: 'ok' });
  await d.send(p, AbortSignal.timeout(30_000));
  assert.deepEqual(d.totals, { events: 6, bytes: 164 });
  await d.close?.();
});

test('print_interval_secs logs the rate through the logger', async () => {
  const lines: Array<{ obj: unknown; msg: string | undefined }> = [];
  const logger: Logger = {
    debug() {}, warn() {}, error() {},
    info(obj, msg) { lines.push({ obj, msg }); },
    child() { return logger; },
  };
  const ctx = { ...testContext(), logger };
  const d = buildBlackholeSink(blackholeSinkSchema.parse({ type: 'blackhole', inputs: ['x'], print_interval_secs: 0.05 }), ctx);
  await d.send(await d.encode([makeLogEvent('s', 'a', 0, {}, 'x', 1)]), AbortSignal.timeout(30_000));
  await waitFor(() => lines.length > 0, 'a rate line');
  await d.close?.();
  assert.equal(lines[0]!.msg, 'blackhole collected events');
  const o = lines[0]!.obj as { events: number; bytes: number; events_per_sec: number };
  assert.equal(o.events, 1);
  assert.equal(o.bytes, 1);
  assert.equal(typeof o.events_per_sec, 'number');
});
