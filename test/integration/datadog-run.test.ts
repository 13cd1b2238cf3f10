/**
 * datadog_logs through `edgetail run` against the strict Datadog intake receiver: 200,000 lines
 * arrive exactly once with ddsource / ddtags / service / hostname; then, under 503 / 429 +
 * Retry-After / responses slower than the request timeout, a further file arrives at least once and
 * every retry after a 429 waits the advertised Retry-After; a bad API key (403) dead-letters the
 * batches with the reason while the process keeps running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deadLetterText, waitDeadLettered } from '../helpers/dead-letters.js';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { alive, assertRetryAfterHonoured, lineTime, writeEdgeLines } from './sink-run-support.js';

const HEALTHY = 200_000;
const FAULTED = 20_000;

function config(dir: string, url: string, key: string, inDir: string): string {
  const path = join(dir, `dd-${key}.yaml`);
  writeFileSync(
    path,
    [
      `data_dir: ${join(dir, `data-${key}`)}`,
      'api: { enabled: false }',
      'sources:',
      `  edge: { type: file, include: [${join(inDir, '*.log')}], format: fastly_json, glob_interval_ms: 200 }`,
      'sinks:',
      '  datadog:',
      '    type: datadog_logs',
      '    inputs: [edge]',
      `    endpoint: ${url}`,
      `    api_key: ${key}`,
      '    ddsource: fastly',
      '    ddtags: [env:test, team:cdn]',
      '    service: edge',
      '    hostname_field: node',
      // One request at a time, so the gap after each 429 is the sink's own wait.
      '    request: { concurrency: 1, timeout_secs: 1, retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2 }',
    ].join('\n'),
  );
  return path;
}

/** request_id → times received, and the first entry of each. */
function received(logs: Record<string, unknown>[]): { counts: Map<string, number>; first: Map<string, Record<string, unknown>> } {
  const counts = new Map<string, number>();
  const first = new Map<string, Record<string, unknown>>();
  for (const e of logs) {
    const id = (JSON.parse(e.message as string) as { request_id: string }).request_id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (!first.has(id)) first.set(id, e);
  }
  return { counts, first };
}

test('datadog_logs via edgetail run: exactly once healthy, at least once under faults, bad key → dead letter', { timeout: 5 * 60_000 }, async () => {
  const dir = tempDir();
  const dd = await startDatadogReceiver();
  const procs: Running[] = [];
  try {
    const inDir = join(dir.path, 'in');
    mkdirSync(inDir);
    writeEdgeLines(join(inDir, 'a.log'), 0, HEALTHY);
    const run = startEdgetail(['run', '--config', config(dir.path, dd.url, dd.apiKey, inDir)]);
    procs.push(run);
    await waitFor(() => (alive(run), dd.logs.length >= HEALTHY), 'all healthy lines at Datadog', 120_000, 100);
    const healthy = received(dd.logs);
    assert.equal(healthy.counts.size, HEALTHY);
    assert.ok([...healthy.counts.values()].every((c) => c === 1), 'exactly once');
    for (const i of [0, 7, 123_456, HEALTHY - 1]) {
      const e = healthy.first.get(`r${i}`)!;
      assert.equal(e.ddsource, 'fastly');
      assert.equal(e.ddtags, 'env:test,team:cdn');
      assert.equal(e.service, 'edge');
      assert.equal(e.hostname, `cache-fra-${i % 4}`);
      const msg = JSON.parse(e.message as string) as { timestamp: string; url: string };
      assert.equal(msg.timestamp, new Date(lineTime(i)).toISOString());
      assert.equal(msg.url, `/v1/obj?i=${i}`);
    }

    // Faults: 503, then 429 with Retry-After: 1, then answers slower than the 1 s timeout.
    const logsReq = () => dd.requests.filter((r) => r.path === '/api/v2/logs');
    const before = logsReq().length;
    dd.setFault({ status: 503, forMs: 60_000 });
    writeEdgeLines(join(inDir, 'b.log'), HEALTHY, FAULTED);
    await waitFor(() => (alive(run), logsReq().slice(before).filter((r) => r.status === 503).length >= 3), 'retries of 503s', 60_000);
    dd.setFault({ status: 429, retryAfterSecs: 1, forMs: 60_000 });
    await waitFor(() => (alive(run), logsReq().slice(before).filter((r) => r.status === 429).length >= 3), 'retries of 429s', 60_000);
    dd.setFault({ delayMs: 1500, forMs: 3000 });
    await waitFor(() => (alive(run), received(dd.logs).counts.size >= HEALTHY + FAULTED), 'every faulted line at least once', 120_000, 250);
    const all = received(dd.logs).counts;
    for (let i = HEALTHY; i < HEALTHY + FAULTED; i++) assert.ok(all.has(`r${i}`), `r${i} missing`);
    const checked = assertRetryAfterHonoured(logsReq().slice(before), 429, 1);
    assert.ok(checked >= 3, `${checked} retries after a 429 checked`);
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr().slice(-4000));

    // A bad API key: the intake answers 403; the batches go to the dead letter, the process lives on.
    const badDir = join(dir.path, 'in-bad');
    mkdirSync(badDir);
    writeEdgeLines(join(badDir, 'c.log'), 0, 2000);
    const wrong = 'wrong-dd-api-key-000000';
    const bad = startEdgetail(['run', '--config', config(dir.path, dd.url, wrong, badDir)]);
    procs.push(bad);
    const dlDir = join(dir.path, `data-${wrong}`, 'dead_letter', 'datadog');
    const dead = () => deadLetterText(dlDir);
    const records = await waitDeadLettered(dlDir, 2000, () => alive(bad));
    assert.equal(new Set(records.map((r) => r.event.request_id)).size, 2000);
    assert.match(records[0]!.reason, /403/);
    assert.ok(!dead().includes(wrong), 'the API key is never written');
    alive(bad);
    bad.child.kill('SIGTERM');
    assert.equal((await bad.exited).code, 0, bad.stderr().slice(-4000));
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await dd.close();
    dir.cleanup();
  }
});
