/**
 * Scale-out on a real broker (issue 5): two collectors in one consumer group share a 4-partition
 * topic; both get partitions; one is killed with SIGKILL mid-stream; the survivor takes its partitions
 * over (after the group's session timeout) and nothing is lost. Duplicates (batches the killed
 * collector delivered but had not committed) are counted and reported. The survivor's /metrics shows
 * the per-partition lag gauge for all four partitions once it owns them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startService } from '../helpers/services.js';
import { agentConfig, collectorConfig, freePort, makeLines, uniqueName } from './kafka-support.js';

const LINES = 120_000;
const CHUNKS = 400;

function lagSeries(metrics: string, topic: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('edgetail_kafka_consumer_lag_messages{') || !line.includes(`topic="${topic}"`)) continue;
    const m = /partition="(\d+)"[^}]*\}\s+(\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

test('two collectors share 4 partitions; one is killed -9 mid-stream; the other takes over; nothing lost', { timeout: 900_000 }, async (t) => {
  const { KAFKA_BROKERS: brokers } = await startService('kafka');
  assert.ok(brokers, 'KAFKA_BROKERS printed');
  const dir = tempDir();
  const receiver = await startReceiver();
  const procs: Running[] = [];
  const topic = uniqueName('edge-scaleout');
  const group = uniqueName('collectors');
  const admin = new Kafka({ clientId: 'scaleout-test', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true }), true);

    const all = makeLines(LINES).split('\n').slice(0, LINES);
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, '');
    const agentYaml = join(dir.path, 'agent.yaml');
    writeFileSync(agentYaml, agentConfig({ dataDir: join(dir.path, 'agent-data'), logFile, brokers, topic, keyField: 'request_id' }));
    const apiPort = await freePort();
    const yaml = (n: number) => {
      const f = join(dir.path, `collector-${n}.yaml`);
      writeFileSync(
        f,
        collectorConfig({ dataDir: join(dir.path, `c${n}-data`), brokers, topic, group, uri: `${receiver.url}c${n}`, sessionTimeoutMs: 10_000, apiPort: n === 1 ? apiPort : undefined }),
      );
      return f;
    };
    const agent = startEdgetail(['run', '--config', agentYaml]);
    const c1 = startEdgetail(['run', '--config', yaml(1)]);
    const c2 = startEdgetail(['run', '--config', yaml(2)]);
    procs.push(agent, c1, c2);

    const perChunk = LINES / CHUNKS;
    const eventsAt = (path: string) => receiver.log.filter((r) => r.path === path && r.status === 200).reduce((s, r) => s + r.events, 0);
    let written = 0;
    const write = (chunks: number) => {
      for (let i = 0; i < chunks && written < LINES; i++) {
        appendFileSync(logFile, all.slice(written, written + perChunk).join('\n') + '\n');
        written += perChunk;
      }
    };
    // Paced traffic until both collectors have received something (both own partitions): the second
    // one joins a little later, and only data produced after the rebalance can reach it.
    const deadline = Date.now() + 300_000;
    while (!(eventsAt('/c1') > 0 && eventsAt('/c2') > 0) || written < LINES / 4) {
      assert.ok(Date.now() < deadline && written < (LINES * 3) / 4, `both collectors should receive partitions (c1 ${eventsAt('/c1')}, c2 ${eventsAt('/c2')}, written ${written})`);
      for (const p of procs) assert.equal(p.child.exitCode, null, `exited early: ${p.stderr()}`);
      write(1);
      await sleep(250); // pacing the producer side, not synchronisation
    }
    const before = eventsAt('/c2');
    await waitFor(() => eventsAt('/c2') > before || c2.child.exitCode !== null, 'collector 2 consuming', 120_000, 20);
    c2.child.kill('SIGKILL');
    await c2.exited;
    const atKill = { c1: eventsAt('/c1'), c2: eventsAt('/c2') };
    write(CHUNKS);
    await waitFor(() => receiver.distinct >= LINES || agent.child.exitCode !== null || c1.child.exitCode !== null, 'every line delivered after the takeover', 600_000, 50);
    assert.equal(agent.child.exitCode, null, `agent exited early: ${agent.stderr()}`);
    assert.equal(c1.child.exitCode, null, `collector 1 exited early: ${c1.stderr()}`);
    assert.equal(receiver.distinct, LINES, 'every event_id arrived at least once');
    assert.ok(atKill.c2 > 0 && atKill.c1 > 0, 'both collectors had received events before the kill');

    // Per-partition lag: the survivor owns all four partitions and has caught up.
    const lag = await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
        const s = lagSeries(text, topic);
        return s.size === 4 && [...s.values()].every((v) => v === 0) ? s : undefined;
      },
      'lag gauge for 4 partitions at 0',
      120_000,
      200,
    );
    assert.ok(lag);
    assert.deepEqual([...lag.keys()].sort(), ['0', '1', '2', '3']);

    const dup = receiver.total - receiver.distinct;
    t.diagnostic(`events at kill: c1 ${atKill.c1}, c2 ${atKill.c2}; received ${receiver.total}, distinct ${receiver.distinct}, duplicates ${dup} (${((dup / LINES) * 100).toFixed(2)} %)`);
    for (const p of [agent, c1]) p.child.kill('SIGTERM');
    const [a, c] = await Promise.all([agent.exited, c1.exited]);
    assert.equal(a.code, 0, `agent stop: ${agent.stderr()}`);
    assert.equal(c.code, 0, `collector stop: ${c1.stderr()}`);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await admin.disconnect().catch(() => undefined);
    await receiver.close();
    dir.cleanup();
  }
});
