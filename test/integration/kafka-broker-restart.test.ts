/**
 * Broker restart mid-stream (issue 5): a private single-node broker (its own run folder, so the shared
 * test broker is untouched) is stopped (SIGTERM, controlled shutdown) and started again on the same
 * ports and storage while the agent keeps tailing new lines. The agent's kafka sink buffers and
 * retries, the collector's consumer rejoins; at the end every event_id has arrived (0 lost).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, startEdgetail, type Running } from '../helpers/cli.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startService } from '../helpers/services.js';
import { agentConfig, collectorConfig, makeLines, uniqueName } from './kafka-support.js';

const LINES = 60_000;
const CHUNKS = 200;

/** Runs scripts/services/kafka.sh ACTION against the private broker in runDir. */
function privateBroker(action: 'start' | 'restart' | 'stop', runDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(repoRoot(), 'scripts', 'services', 'kafka.sh'), action],
      {
        timeout: 600_000,
        env: { ...process.env, SERVICE_RUN_DIR: runDir, EDGETAIL_TEST_CACHE: process.env.EDGETAIL_TEST_CACHE ?? join(homedir(), '.cache', 'edgetail-test') },
      },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`kafka.sh ${action}: ${err.message}\n${stderr.slice(-3000)}`));
        const m = /^KAFKA_BROKERS=(\S+)$/m.exec(stdout);
        resolve(m ? m[1]! : '');
      },
    );
  });
}

test('broker restart mid-stream: the agent buffers and resumes, the collector rejoins, 0 lost', { timeout: 900_000 }, async (t) => {
  await startService('kafka'); // provisions the cached broker jars (the shared broker itself is not used)
  const dir = tempDir();
  const runDir = join(dir.path, 'broker');
  mkdirSync(runDir);
  const receiver = await startReceiver();
  const procs: Running[] = [];
  try {
    const brokers = await privateBroker('start', runDir);
    assert.match(brokers, /^127\.0\.0\.1:\d+$/);
    const topic = uniqueName('edge-restart');
    const all = makeLines(LINES).split('\n').slice(0, LINES);
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, '');
    const agentYaml = join(dir.path, 'agent.yaml');
    const collectorYaml = join(dir.path, 'collector.yaml');
    writeFileSync(agentYaml, agentConfig({ dataDir: join(dir.path, 'agent-data'), logFile, brokers, topic }));
    writeFileSync(collectorYaml, collectorConfig({ dataDir: join(dir.path, 'collector-data'), brokers, topic, group: uniqueName('collectors'), uri: receiver.url }));
    const agent = startEdgetail(['run', '--config', agentYaml]);
    const collector = startEdgetail(['run', '--config', collectorYaml]);
    procs.push(agent, collector);

    const perChunk = LINES / CHUNKS;
    let written = 0;
    const writeChunk = () => {
      appendFileSync(logFile, all.slice(written, written + perChunk).join('\n') + '\n');
      written += perChunk;
    };
    // A third of the lines, until some have gone all the way through.
    while (written < LINES / 3) writeChunk();
    await waitFor(() => receiver.distinct > 0 || procs.some((p) => p.child.exitCode !== null), 'first events through the broker', 300_000, 50);
    for (const p of procs) assert.equal(p.child.exitCode, null, `exited early: ${p.stderr()}`);

    // Restart the broker while more lines keep coming.
    const restarted = privateBroker('restart', runDir);
    let restartDone = false;
    void restarted.then(() => (restartDone = true), () => (restartDone = true));
    while (written < (LINES * 2) / 3) {
      writeChunk();
      await sleep(50); // pacing the writer, not synchronisation
    }
    assert.equal(await restarted, brokers, 'same address after restart');
    assert.ok(restartDone);
    const atRestart = receiver.distinct;
    while (written < LINES) writeChunk();

    await waitFor(() => receiver.distinct >= LINES || procs.some((p) => p.child.exitCode !== null), 'every line delivered after the broker restart', 600_000, 50);
    for (const p of procs) assert.equal(p.child.exitCode, null, `exited early: ${p.stderr()}`);
    assert.equal(receiver.distinct, LINES, 'every event_id arrived at least once');
    t.diagnostic(`distinct when the broker was back: ${atRestart}; received ${receiver.total}, distinct ${receiver.distinct}, duplicates ${receiver.total - receiver.distinct}`);

    for (const p of procs) p.child.kill('SIGTERM');
    const codes = await Promise.all(procs.map((p) => p.exited));
    assert.deepEqual(codes.map((c) => c.code), [0, 0], `clean stop: ${procs.map((p) => p.stderr()).join('\n')}`);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await privateBroker('stop', runDir).catch(() => undefined);
    await receiver.close();
    dir.cleanup();
  }
});
