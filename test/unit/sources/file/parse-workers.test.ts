import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LazyLogEvent, peekField, type LogEvent } from '../../../../src/core/event.js';
import { encodeNdjson } from '../../../../src/delivery/encoding.js';
import { tempDir, waitFor } from '../../../helpers/context.js';
import { harness, startSource } from './harness.js';

// Every shape the reader must treat alike with and without workers: the fast path, a line the
// worker hands back (bad JSON, a field shadowing event_id), a line without timestamp, the nested shape.
const LINES = [
  '{"timestamp":"2024-05-01T12:00:00.250Z","host":"cdn.example","status":"404","node":"cache-1","url":"/a?x=1"}',
  '{"timestamp":"2024-05-01T12:00:01Z","host":"b","custom":{"node":"deep"},"resp_bytes":10}',
  'not json at all',
  '{"timestamp":"2024-05-01T12:00:02Z","event_id":"shadow","status":200}',
  '{"host":"no-time","status":201}',
  '{"timestamp":"2024-05-01T12:00:03Z","http":{"status_code":500,"method":"GET"},"network":{"client":{"ip":"10.0.0.1"}}}',
  // Canonical lines: their members text is sliced out of the line (spacing kept), path/layer appended.
  '{"timestamp":"2024-05-01T12:00:04.000Z","host":"cdn.example","status":200,"node":"cache-2","url":"/b/c?d=1"}',
  '{"timestamp":"2024-05-01T12:00:05Z", "host" : "spaced", "status": 200.0, "node":"cache-3", "layer":"origin"}',
];
const LAZY = [0, 1, 5, 6, 7];

async function readAll(workers: number, fieldsAsJson = false, peekKeys?: string[]): Promise<{ events: LogEvent[]; errors: Record<string, number> }> {
  const d = tempDir();
  try {
    const file = join(d.path, 'edge.log');
    writeFileSync(file, LINES.join('\n') + '\n');
    const h = harness(d.path);
    h.ctx.fieldsAsJson = fieldsAsJson;
    h.ctx.peekKeys = peekKeys;
    const src = await startSource(h, { include: [file], format: 'fastly_json', parse_workers: workers });
    try {
      await waitFor(() => h.lines().length === LINES.length, 'all lines');
    } finally {
      await src.close?.();
    }
    return { events: h.batches.flatMap((b) => b.events), errors: h.metrics.counts.errors };
  } finally {
    d.cleanup();
  }
}

for (const [name, workers] of [['parse_workers: 1', 1], ['on the main thread', 0]] as const) {
test(`fieldsAsJson (every consumer splices), ${name}: events equal plain parsed ones, and stay lazy`, async () => {
  const main = await readAll(0);
  const lazy = await readAll(workers, true, ['node', 'status']);
  assert.deepEqual(lazy.errors, main.errors);
  assert.equal(main.errors['parse_failed/processing'], 1);
  const strip = (e: LogEvent) => ({ raw: e.raw, size: e.size, id: e.id.slice(e.id.lastIndexOf(':')), fields: e.fields });
  const wire = (e: LogEvent) => JSON.parse(encodeNdjson([e]).replace(/"event_id":"[^"]*"/, '"event_id":""')) as unknown;
  for (const i of LAZY) {
    const ev = lazy.events[i]!;
    assert.ok(ev instanceof LazyLogEvent, `line ${i} is lazy`);
    assert.equal(ev.timestamp, main.events[i]!.timestamp);
    // The same wire object (the text may keep the line's spacing, so compare parsed).
    assert.deepEqual(wire(ev), wire(main.events[i]!));
    // Peeked keys answer what the fields hold, without materializing the event.
    assert.equal(peekField(ev, 'node'), main.events[i]!.fields.node);
    assert.equal(peekField(ev, 'status'), main.events[i]!.fields.status);
    assert.equal(peekField(ev, 'host'), main.events[i]!.fields.host, 'a key nobody captured is read from the text');
    assert.notEqual(ev.fieldsMembers, undefined);
  }
  for (const i of [2, 3]) assert.ok(!(lazy.events[i] instanceof LazyLogEvent), `line ${i} parsed as a plain event`);
  assert.deepEqual(lazy.events.map(strip), main.events.map(strip));
  // Values the test knows independently of the parser.
  assert.equal(lazy.events[0]!.timestamp, Date.UTC(2024, 4, 1, 12, 0, 0, 250));
  assert.equal(lazy.events[0]!.fields.status, 404);
  assert.equal(lazy.events[2]!.fields.parse_error, 'invalid JSON');
  assert.equal((lazy.events[6] as LazyLogEvent).fieldsMembers, undefined, 'reading fields dropped the text');
  assert.deepEqual(lazy.events[6]!.fields, { host: 'cdn.example', status: 200, node: 'cache-2', url: '/b/c?d=1', path: '/b/c', query: 'd=1', layer: 'edge' });
});
}

test('without fieldsAsJson (a transform or the live sink reads fields), parse_workers are not used and events are plain', async () => {
  const main = await readAll(1, false);
  assert.ok(main.events.every((e) => !(e instanceof LazyLogEvent)));
  assert.equal(main.events.length, LINES.length);
});

test('parse_workers with read-ahead over many chunks: every line once, in order, also across a rewind after a failed emit', { timeout: 60_000 }, async () => {
  const d = tempDir();
  try {
    const file = join(d.path, 'edge.log');
    const n = 6000;
    const lines = Array.from({ length: n }, (_, i) => `{"timestamp":"2024-05-01T12:00:00.000Z","host":"h${i}","status":200,"node":"n${i % 7}","url":"/f/${i}"}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const h = harness(d.path);
    h.ctx.fieldsAsJson = true;
    h.ctx.peekKeys = ['node'];
    // The third emit fails once: the reader rewinds to that batch's first line and drops the chunk it read ahead.
    const emit = h.ctx.emit;
    let calls = 0;
    h.ctx.emit = async (events, fin) => {
      if (++calls === 3) throw new Error('sink went away');
      return emit(events, fin);
    };
    // 4 KiB reads (~40 lines): ~150 chunks, each read while the worker parses the one before.
    const src = await startSource(h, { include: [file], format: 'fastly_json', parse_workers: 1, read_buffer_bytes: 4096, max_batch_events: 16 });
    try {
      await waitFor(() => h.lines().length >= n, 'all lines', 30_000);
    } finally {
      await src.close?.();
    }
    const events = h.batches.flatMap((b) => b.events);
    assert.deepEqual(events.map((e) => e.raw), lines, 'each line once, in file order');
    assert.equal(h.metrics.counts.errors['emit_failed/sending'], 1);
    assert.ok(events.every((e) => e instanceof LazyLogEvent), 'all went through the worker');
    for (const i of [0, 41, 2999, n - 1]) {
      assert.equal(peekField(events[i]!, 'node'), `n${i % 7}`);
      assert.equal(events[i]!.fields.host, `h${i}`);
      assert.equal(events[i]!.fields.path, `/f/${i}`);
    }
  } finally {
    d.cleanup();
  }
});
