/**
 * Acceptance (issue "Durable disk buffers"): 1,000,000 lines, file → three http sinks with disk
 * buffers, one of them slow (its receiver answers after a delay, one request at a time); the
 * process is killed with SIGKILL 20 times at random moments and restarted; at the end every
 * event_id arrived at every sink (0 lost) and the duplicates are counted and reported.
 *
 * Random moments: kill points are drawn (seeded PRNG, the seed is printed) over the run's progress
 * (events received by the three sinks together), each plus a random 0–250 ms; close draws kill a
 * process while it is still starting or recovering its buffers. Size and seed can be changed:
 * EDGETAIL_KILL9_LINES, EDGETAIL_KILL9_KILLS, EDGETAIL_KILL9_SEED.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { fixedWidthLines, startOffsetReceiver, type OffsetReceiver } from '../helpers/offset-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';

const LINES = Number(process.env.EDGETAIL_KILL9_LINES ?? 1_000_000);
const KILLS = Number(process.env.EDGETAIL_KILL9_KILLS ?? 20);
const LINE_BYTES = 9; // "L0000000\n"

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sinkYaml(id: string, uri: string, batch: number, concurrency: number): string[] {
  return [
    `  ${id}:`,
    '    type: http',
    '    inputs: [edge]',
    `    uri: ${uri}`,
    '    healthcheck: { enabled: false }',
    '    encoding: { codec: ndjson, only_fields: [message, event_id] }',
    `    batch: { max_events: ${batch}, timeout_secs: 0.2 }`,
    `    request: { concurrency: ${concurrency}, retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.5 }`,
    '    buffer: { type: disk }',
  ];
}

test(`kill -9 ${KILLS} times: ${LINES} lines reach all three disk-buffered sinks, none lost`, { timeout: 900_000 }, async (t) => {
  const dir = tempDir();
  const receivers: OffsetReceiver[] = [];
  let proc: Running | undefined;
  try {
    const [a, b, slow] = [await startOffsetReceiver(LINES, LINE_BYTES), await startOffsetReceiver(LINES, LINE_BYTES), await startOffsetReceiver(LINES, LINE_BYTES)];
    receivers.push(a!, b!, slow!);
    slow!.delayMs = 25; // one request at a time, 1000 events each: at most ~40,000 events/s
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, fixedWidthLines(LINES, LINE_BYTES));
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        'api: { enabled: false }',
        'sources:',
        '  edge:',
        '    type: file',
        `    include: [${logFile}]`,
        '    format: raw',
        '    max_batch_events: 2000',
        'sinks:',
        ...sinkYaml('a', a!.url, 2000, 2),
        ...sinkYaml('b', b!.url, 2000, 2),
        ...sinkYaml('slow', slow!.url, 1000, 1),
      ].join('\n'),
    );

    const seed = Number(process.env.EDGETAIL_KILL9_SEED ?? Date.now() % 2 ** 31);
    const random = prng(seed);
    const goal = 3 * LINES;
    const kills = Array.from({ length: KILLS }, () => ({ at: Math.floor(goal * (0.01 + random() * 0.97)), jitterMs: Math.floor(random() * 250) })).sort((x, y) => x.at - y.at);
    t.diagnostic(`seed ${seed} (EDGETAIL_KILL9_SEED=${seed} repeats this schedule); lines ${LINES}; kill points (events received by the 3 sinks, of ${goal}) + jitter: ${kills.map((k) => `${k.at}+${k.jitterMs}ms`).join(', ')}`);
    const progress = () => a!.distinct + b!.distinct + slow!.distinct;
    const started = Date.now();

    for (const [i, kill] of kills.entries()) {
      proc = startEdgetail(['run', '--config', config]);
      const p = proc;
      await waitFor(() => progress() >= kill.at || p.child.exitCode !== null, `progress to pass ${kill.at} (kill ${i + 1})`, 240_000, 10);
      await new Promise((r) => setTimeout(r, kill.jitterMs)); // the random moment itself, not a synchronization
      assert.equal(p.child.exitCode, null, `edgetail exited early: ${p.stderr()}`);
      p.child.kill('SIGKILL');
      await p.exited;
    }
    const killedAt = Date.now();
    proc = startEdgetail(['run', '--config', config]);
    const last = proc;
    await waitFor(() => progress() >= goal || last.child.exitCode !== null, 'every line at every sink', 300_000, 20);
    assert.equal(last.child.exitCode, null, `edgetail exited early: ${last.stderr()}`);
    last.child.kill('SIGTERM');
    const { code } = await last.exited;
    assert.equal(code, 0, `graceful stop failed: ${last.stderr()}`);

    for (const [name, r] of [['a', a!], ['b', b!], ['slow', slow!]] as const) {
      t.diagnostic(`sink ${name}: received ${r.total}, distinct ${r.distinct}, duplicates ${r.duplicates} (${((100 * r.duplicates) / LINES).toFixed(2)}%), requests ${r.requests}`);
      assert.equal(r.foreign, 0, `${name}: events with an unexpected event_id`);
      assert.equal(r.mismatched, 0, `${name}: events whose message does not match their event_id`);
      assert.deepEqual(r.missing(), [], `${name}: lines never received`);
      assert.equal(r.distinct, LINES, `${name}: every event_id arrived`);
    }
    t.diagnostic(`timing: ${KILLS} kills in ${((killedAt - started) / 1000).toFixed(1)} s, final run ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
  } finally {
    proc?.child.kill('SIGKILL');
    await Promise.all(receivers.map((r) => r.close()));
    dir.cleanup();
  }
});
