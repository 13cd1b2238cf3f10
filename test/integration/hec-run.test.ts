/**
 * splunk_hec_logs through `edgetail run` against the strict HEC receiver: 200,000 lines arrive
 * exactly once with their metadata; then, under 503 / 429 + Retry-After / responses slower than the
 * request timeout, a further file arrives at least once and every retry after a 429 waits the
 * advertised Retry-After; a bad token dead-letters the batches with the reason while the process
 * keeps running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deadLetterText, waitDeadLettered } from '../helpers/dead-letters.js';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startHecReceiver } from '../helpers/hec-receiver.js';
import { alive, assertRetryAfterHonoured, lineTime, writeEdgeLines } from './sink-run-support.js';

const TOKEN = '7d2c9a3e-good-hec-token';
const HEALTHY = 200_000;
const FAULTED = 20_000;

function config(dir: string, url: string, token: string, inDir: string): string {
  const path = join(dir, `hec-${token}.yaml`);
  writeFileSync(
    path,
    [
      `data_dir: ${join(dir, `data-${token}`)}`,
      'api: { enabled: false }',
      'sources:',
      `  edge: { type: file, include: [${join(inDir, '*.log')}], format: fastly_json, glob_interval_ms: 200 }`,
      'sinks:',
      '  splunk:',
      '    type: splunk_hec_logs',
      '    inputs: [edge]',
      `    endpoint: ${url}`,
      `    token: ${token}`,
      '    index: cdn',
      '    source: edgetail',
      '    sourcetype: "fastly:json"',
      '    indexed_fields: [pop, status]',
      '    compression: gzip',
      // One request at a time, so the gap after each 429 is the sink's own wait.
      '    request: { concurrency: 1, timeout_secs: 1, retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2 }',
    ].join('\n'),
  );
  return path;
}

test('splunk_hec_logs via edgetail run: exactly once healthy, at least once under faults, bad token → dead letter', { timeout: 5 * 60_000 }, async () => {
  const dir = tempDir();
  const hec = await startHecReceiver({ tokens: [TOKEN], indexes: ['cdn'] });
  const procs: Running[] = [];
  try {
    const inDir = join(dir.path, 'in');
    mkdirSync(inDir);
    writeEdgeLines(join(inDir, 'a.log'), 0, HEALTHY);
    const run = startEdgetail(['run', '--config', config(dir.path, hec.url, TOKEN, inDir)]);
    procs.push(run);
    await waitFor(() => (alive(run), hec.counts.size >= HEALTHY), 'all healthy lines at HEC', 120_000, 100);
    assert.equal(hec.counts.size, HEALTHY);
    assert.ok([...hec.counts.values()].every((c) => c === 1), 'exactly once');
    const byRequest = new Map(hec.envelopes.map((e) => [(e.event as { request_id: string }).request_id, e]));
    for (const i of [0, 7, 123_456, HEALTHY - 1]) {
      const e = byRequest.get(`r${i}`)!;
      assert.equal(e.time, lineTime(i) / 1000);
      assert.equal(e.host, `cache-fra-${i % 4}`);
      assert.equal(e.index, 'cdn');
      assert.equal(e.source, 'edgetail');
      assert.equal(e.sourcetype, 'fastly:json');
      assert.deepEqual(e.fields, { pop: 'FRA', status: String(i % 10 === 0 ? 503 : 200) });
      assert.equal((e.event as { url: string }).url, `/v1/obj?i=${i}`);
    }

    // Faults: 503 (busy), then 429 with Retry-After: 1, then answers slower than the 1 s timeout.
    const ingest = () => hec.log.filter((r) => r.path.startsWith('/services/collector/event'));
    const before = ingest().length;
    hec.setFault({ status: 503, forMs: 60_000 });
    writeEdgeLines(join(inDir, 'b.log'), HEALTHY, FAULTED);
    await waitFor(() => (alive(run), ingest().slice(before).filter((r) => r.status === 503).length >= 3), 'retries of 503s', 60_000);
    hec.setFault({ status: 429, retryAfterSecs: 1, forMs: 60_000 });
    await waitFor(() => (alive(run), ingest().slice(before).filter((r) => r.status === 429).length >= 3), 'retries of 429s', 60_000);
    hec.setFault({ delayMs: 1500, forMs: 3000 });
    await waitFor(() => (alive(run), hec.counts.size >= HEALTHY + FAULTED), 'every faulted line at least once', 120_000, 100);
    const got = new Set(hec.envelopes.map((e) => (e.event as { request_id: string }).request_id));
    for (let i = HEALTHY; i < HEALTHY + FAULTED; i++) assert.ok(got.has(`r${i}`), `r${i} missing`);
    const checked = assertRetryAfterHonoured(ingest().slice(before), 429, 1);
    assert.ok(checked >= 3, `${checked} retries after a 429 checked`);
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr().slice(-4000));

    // A bad token: HEC answers 403 code 4; the batches go to the dead letter, the process lives on.
    const badDir = join(dir.path, 'in-bad');
    mkdirSync(badDir);
    writeEdgeLines(join(badDir, 'c.log'), 0, 2000);
    const wrong = 'ffffffff-wrong-hec-token';
    const bad = startEdgetail(['run', '--config', config(dir.path, hec.url, wrong, badDir)]);
    procs.push(bad);
    const dlDir = join(dir.path, `data-${wrong}`, 'dead_letter', 'splunk');
    const dead = () => deadLetterText(dlDir);
    const records = await waitDeadLettered(dlDir, 2000, () => alive(bad));
    assert.equal(new Set(records.map((r) => r.event.request_id)).size, 2000);
    assert.match(records[0]!.reason, /403/);
    assert.match(records[0]!.reason, /code 4|Invalid token/i);
    assert.ok(!dead().includes(wrong), 'the token is never written');
    alive(bad);
    bad.child.kill('SIGTERM');
    assert.equal((await bad.exited).code, 0, bad.stderr().slice(-4000));
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await hec.close();
    dir.cleanup();
  }
});
