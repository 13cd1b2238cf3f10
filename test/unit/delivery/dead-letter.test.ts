import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeLogEvent, makeMetricEvent } from '../../../src/core/event.js';
import { DeadLetterWriter, deadLetterDir } from '../../../src/delivery/dead-letter.js';
import { tempDir } from '../../helpers/context.js';

test('writes one NDJSON line per event into dead_letter/<sink>/<UTC date>.ndjson', async () => {
  const dir = tempDir();
  try {
    const w = new DeadLetterWriter(dir.path, 'splunk', () => new Date('2024-05-01T23:59:59.500Z'));
    assert.equal(w.dir, join(dir.path, 'dead_letter', 'splunk'));
    assert.equal(deadLetterDir(dir.path, 'splunk'), w.dir);
    const log = makeLogEvent('edge', 'edge:1', 1714564800000, { status: 400, host: 'dl.k8s.io' }, undefined, 10);
    const unparsed = makeLogEvent('edge', 'edge:2', 1714564800000, { parse_error: 'not JSON' }, 'garbage "line"', 14);
    const metric = makeMetricEvent('agg', 'agg:1', { name: 'requests', kind: 'counter', value: 3, tags: { pop: 'IAD' }, timestamp: 1714564800000 });
    await Promise.all([w.write([log, unparsed], 'HTTP 400: bad "event"'), w.write([metric], 'retries exhausted: timeout')]);
    const text = readFileSync(join(w.dir, '2024-05-01.ndjson'), 'utf8');
    assert.deepEqual(readdirSync(w.dir), ['2024-05-01.ndjson']);
    assert.equal(
      text,
      '{"sink":"splunk","reason":"HTTP 400: bad \\"event\\"","time":"2024-05-01T23:59:59.500Z","event":{"timestamp":"2024-05-01T12:00:00.000Z","status":400,"host":"dl.k8s.io","event_id":"edge:1"}}\n' +
        '{"sink":"splunk","reason":"HTTP 400: bad \\"event\\"","time":"2024-05-01T23:59:59.500Z","event":{"timestamp":"2024-05-01T12:00:00.000Z","raw":"garbage \\"line\\"","parse_error":"not JSON","event_id":"edge:2"}}\n' +
        '{"sink":"splunk","reason":"retries exhausted: timeout","time":"2024-05-01T23:59:59.500Z","event":{"timestamp":"2024-05-01T12:00:00.000Z","name":"requests","kind":"counter","value":3,"tags":{"pop":"IAD"},"event_id":"agg:1"}}\n',
    );
  } finally {
    dir.cleanup();
  }
});

test('a write that fails rejects, and later writes still work', async () => {
  const dir = tempDir();
  try {
    // A file where the sink's directory should be: mkdir fails.
    const { writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    mkdirSync(join(dir.path, 'dead_letter'));
    writeFileSync(join(dir.path, 'dead_letter', 'x'), 'in the way');
    const w = new DeadLetterWriter(dir.path, 'x', () => new Date('2024-05-02T00:00:00Z'));
    const ev = makeLogEvent('s', 's:1', 0, {}, undefined, 1);
    await assert.rejects(w.write([ev], 'r'));
    rmSync(join(dir.path, 'dead_letter', 'x'));
    await w.write([ev], 'r');
    assert.equal(readFileSync(join(w.dir, '2024-05-02.ndjson'), 'utf8').split('\n').length, 2);
  } finally {
    dir.cleanup();
  }
});
