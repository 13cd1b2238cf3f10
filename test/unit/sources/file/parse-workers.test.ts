import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LazyLogEvent, type LogEvent } from '../../../../src/core/event.js';
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
];

async function readAll(workers: number, fieldsAsJson = false): Promise<{ events: LogEvent[]; errors: Record<string, number> }> {
  const d = tempDir();
  try {
    const file = join(d.path, 'edge.log');
    writeFileSync(file, LINES.join('\n') + '\n');
    const h = harness(d.path);
    h.ctx.fieldsAsJson = fieldsAsJson;
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

for (const [name, workers, asJson] of [['parse_workers: 1', 1, false], ['fieldsAsJson (every consumer splices)', 0, true]] as const) {
test(`${name}: events equal those parsed on the main thread, and the fast path stays lazy`, async () => {
  const main = await readAll(0);
  const worker = await readAll(workers, asJson);
  assert.deepEqual(worker.errors, main.errors);
  assert.equal(main.errors['parse_failed/processing'], 1);
  const strip = (e: LogEvent) => ({ raw: e.raw, size: e.size, id: e.id.slice(e.id.lastIndexOf(':')), fields: e.fields });
  // Lines 0, 1 and 5 went through the worker: never parsed on this thread until read here.
  for (const i of [0, 1, 5]) {
    const ev = worker.events[i]!;
    assert.ok(ev instanceof LazyLogEvent, `line ${i} is lazy`);
    assert.equal(ev.timestamp, main.events[i]!.timestamp);
    const line = encodeNdjson([ev]);
    assert.equal(line.replace(/"event_id":"[^"]*"/, ''), encodeNdjson([main.events[i]!]).replace(/"event_id":"[^"]*"/, ''));
  }
  for (const i of [2, 3]) assert.ok(!(worker.events[i] instanceof LazyLogEvent), `line ${i} parsed on the main thread`);
  assert.deepEqual(worker.events.map(strip), main.events.map(strip));
  // Values the test knows independently of the parser.
  assert.equal(worker.events[0]!.timestamp, Date.UTC(2024, 4, 1, 12, 0, 0, 250));
  assert.equal(worker.events[0]!.fields.status, 404);
  assert.equal(worker.events[2]!.fields.parse_error, 'invalid JSON');
});
}
