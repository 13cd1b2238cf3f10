/**
 * A collector whose sink is down does not commit offsets (issue 5): the receiver answers 503, the
 * collector consumes and keeps retrying; it is stopped (SIGTERM, drain deadline hits, nothing
 * acknowledged), the receiver comes back, a restarted collector in the same group delivers everything.
 * If it had committed on receipt, the restarted collector would start past those messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startService } from '../helpers/services.js';
import { agentConfig, collectorConfig, makeLines, uniqueName } from './kafka-support.js';

const LINES = 5_000;

test('collector with its sink down commits nothing; after restart with the sink up everything arrives', { timeout: 600_000 }, async (t) => {
  const { KAFKA_BROKERS: brokers } = await startService('kafka');
  assert.ok(brokers, 'KAFKA_BROKERS printed');
  const dir = tempDir();
  const receiver = await startReceiver({ keepBodies: true });
  const procs: Running[] = [];
  try {
    const topic = uniqueName('edge-sinkdown');
    const group = uniqueName('collectors');
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, makeLines(LINES));
    const agentYaml = join(dir.path, 'agent.yaml');
    const collectorYaml = join(dir.path, 'collector.yaml');
    writeFileSync(agentYaml, agentConfig({ dataDir: join(dir.path, 'agent-data'), logFile, brokers, topic }));
    writeFileSync(collectorYaml, collectorConfig({ dataDir: join(dir.path, 'collector-data'), brokers, topic, group, uri: receiver.url, shutdownSecs: 2 }));

    receiver.setFault({ status: 503 });
    const agent = startEdgetail(['run', '--config', agentYaml]);
    procs.push(agent);
    const first = startEdgetail(['run', '--config', collectorYaml]);
    procs.push(first);
    // The collector consumed and is retrying against the failing sink.
    await waitFor(() => receiver.log.filter((r) => r.status === 503).length >= 5 || first.child.exitCode !== null, 'collector retrying against 503', 300_000, 50);
    assert.equal(first.child.exitCode, null, `collector exited early: ${first.stderr()}`);
    assert.equal(receiver.distinct, 0);
    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    assert.equal(stopped.code, 0, `collector stop: ${first.stderr()}`);
    assert.equal(receiver.distinct, 0, 'nothing was accepted while the sink was down');

    receiver.clearFault();
    const second = startEdgetail(['run', '--config', collectorYaml]);
    procs.push(second);
    await waitFor(() => receiver.distinct >= LINES || second.child.exitCode !== null, 'everything delivered after restart', 300_000, 50);
    assert.equal(second.child.exitCode, null, `collector exited early: ${second.stderr()}`);
    assert.equal(receiver.distinct, LINES);

    // The events came back as the agent sent them: fields, timestamp and event_id intact.
    const byReq = new Map<string, Record<string, unknown>>();
    for (const e of receiver.events) byReq.set(String(e.request_id), e);
    const e7 = byReq.get('req-7')!;
    assert.equal(e7.pop, 'FRA'); // pops[7 % 4]
    assert.equal(e7.timestamp, '2024-05-01T12:00:07.000Z');
    assert.equal(e7.resp_bytes, 1007);
    assert.equal(e7.is_edge, true);
    assert.equal(typeof e7.event_id, 'string');
    assert.ok(!String(e7.event_id).startsWith(`${topic}:`));

    for (const p of [agent, second]) p.child.kill('SIGTERM');
    await Promise.all([agent.exited, second.exited]);
    t.diagnostic(`503 answers ${receiver.log.filter((r) => r.status === 503).length}; received ${receiver.total}, distinct ${receiver.distinct}, duplicates ${receiver.total - receiver.distinct}`);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await receiver.close();
    dir.cleanup();
  }
});
