/**
 * Acceptance (issue 3): with indexer acknowledgements on, data is safe only once /ack says so. A
 * kill -9 after the send but before the ack must lead to those events being sent again after the
 * restart (the file source's checkpoint did not move past them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { startHecReceiver } from '../helpers/hec-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';

const LINES = 3000;
const TOKEN = '0f3c1f8e-hec-test-token';

test('HEC indexer acks: kill -9 between send and ack → the events are sent again after restart', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const hec = await startHecReceiver({ tokens: [TOKEN], acks: true });
  const procs: Running[] = [];
  try {
    const logFile = join(dir.path, 'edge.log');
    const lines: string[] = [];
    for (let i = 0; i < LINES; i++) lines.push(`{"timestamp":"2024-05-01T12:00:00Z","status":200,"host":"dl.k8s.io","node":"cache-iad-1","request_id":"r${i}"}`);
    writeFileSync(logFile, lines.join('\n') + '\n');
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        'api: { enabled: false }',
        'sources:',
        `  edge: { type: file, include: [${logFile}], format: fastly_json }`,
        'sinks:',
        '  splunk:',
        '    type: splunk_hec_logs',
        '    inputs: [edge]',
        `    endpoint: ${hec.url}`,
        '    token: ${HEC_TOKEN}',
        '    index: cdn',
        '    acknowledgements: { indexer_acknowledgements_enabled: true, query_interval_secs: 0.1, timeout_secs: 60 }',
      ].join('\n'),
    );
    // Phase 1: the receiver takes every event but never acknowledges; the process dies with all of it unacked.
    hec.withholdAcks = true;
    const first = startEdgetail(['run', '--config', config], { HEC_TOKEN: TOKEN });
    procs.push(first);
    // A request is in flight and polling for its ack (which never comes): the batch is not safe yet.
    await waitFor(() => (hec.counts.size > 0 && hec.ackPolls > 2) || first.child.exitCode !== null, 'a batch sent and waiting for its ack', 60_000);
    assert.equal(first.child.exitCode, null, first.stderr());
    first.child.kill('SIGKILL');
    await first.exited;
    const afterFirst = new Map(hec.counts);

    // Phase 2: acks flow; everything sent before the kill must be sent again.
    hec.withholdAcks = false;
    const second = startEdgetail(['run', '--config', config], { HEC_TOKEN: TOKEN });
    procs.push(second);
    await waitFor(
      () => (hec.counts.size >= LINES && [...afterFirst.keys()].every((id) => (hec.counts.get(id) ?? 0) >= 2)) || second.child.exitCode !== null,
      'every line delivered, the unacknowledged ones again',
      60_000,
    );
    assert.equal(second.child.exitCode, null, second.stderr());
    second.child.kill('SIGTERM');
    assert.equal((await second.exited).code, 0, second.stderr());
    assert.equal(hec.counts.size, LINES);
    t.diagnostic(`${afterFirst.size} events were sent but unacknowledged at the kill; all ${afterFirst.size} were sent again after the restart`);
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
    await hec.close();
    dir.cleanup();
  }
});
