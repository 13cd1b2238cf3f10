/**
 * Agent → Kafka → collector → http (issue 5): 200,000 lines written to a file; an agent process
 * (file → kafka sink) and a collector process (kafka source → http sink) run against a real broker
 * (scripts/services.sh start kafka). Every event_id arrives at least once; duplicates are reported.
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

const LINES = 200_000;

test('agent → kafka → collector → http: 200,000 lines, every event_id at least once', { timeout: 900_000 }, async (t) => {
  const { KAFKA_BROKERS: brokers } = await startService('kafka');
  assert.ok(brokers, 'KAFKA_BROKERS printed');
  const dir = tempDir();
  const receiver = await startReceiver();
  const procs: Running[] = [];
  try {
    const topic = uniqueName('edge-pipeline');
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, makeLines(LINES));
    const agentYaml = join(dir.path, 'agent.yaml');
    const collectorYaml = join(dir.path, 'collector.yaml');
    writeFileSync(agentYaml, agentConfig({ dataDir: join(dir.path, 'agent-data'), logFile, brokers, topic }));
    writeFileSync(collectorYaml, collectorConfig({ dataDir: join(dir.path, 'collector-data'), brokers, topic, group: uniqueName('collectors'), uri: receiver.url }));

    const agent = startEdgetail(['run', '--config', agentYaml]);
    procs.push(agent);
    const collector = startEdgetail(['run', '--config', collectorYaml]);
    procs.push(collector);
    const started = Date.now();
    await waitFor(
      () => receiver.distinct >= LINES || agent.child.exitCode !== null || collector.child.exitCode !== null,
      'all lines delivered through kafka',
      600_000,
      50,
    );
    assert.equal(agent.child.exitCode, null, `agent exited early: ${agent.stderr()}`);
    assert.equal(collector.child.exitCode, null, `collector exited early: ${collector.stderr()}`);
    t.diagnostic(`end to end in ${((Date.now() - started) / 1000).toFixed(1)} s (includes topic creation and group join)`);

    for (const p of [agent, collector]) p.child.kill('SIGTERM');
    const [a, c] = await Promise.all([agent.exited, collector.exited]);
    assert.equal(a.code, 0, `agent stop: ${agent.stderr()}`);
    assert.equal(c.code, 0, `collector stop: ${collector.stderr()}`);

    assert.equal(receiver.distinct, LINES, 'every event_id arrived at least once');
    const fallback = [...receiver.counts.keys()].filter((id) => id.startsWith(`${topic}:`)).length;
    assert.equal(fallback, 0, "the collector keeps the agent's event ids (no topic:partition:offset ids)");
    t.diagnostic(`received ${receiver.total}, distinct ${receiver.distinct}, duplicates ${receiver.total - receiver.distinct}`);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await receiver.close();
    dir.cleanup();
  }
});
