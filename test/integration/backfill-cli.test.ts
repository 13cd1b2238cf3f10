/**
 * `edgetail backfill` through the real CLI: a plain and a gzip archive (two concatenated gzip
 * members) arrive exactly once at an HTTP receiver, with exit code 0, plain progress lines on a
 * non-TTY stderr and a summary; a missing file is exit 66; a bad token dead-letters everything
 * (exit 1, the process finishes), and `--dead-letter` with the fixed token replays it all once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runEdgetail } from '../helpers/cli.js';
import { tempDir } from '../helpers/context.js';
import { startReceiver } from '../helpers/http-receiver.js';

function line(i: number): string {
  const sec = String(i % 60).padStart(2, '0');
  return `{"timestamp":"2024-05-02T10:00:${sec}Z","host":"cdn.example.com","url":"/a?i=${i}","status":200,"pop":"FRA","request_id":"r${i}"}`;
}

function config(dir: string, url: string, token: string): string {
  const path = join(dir, `edgetail-${token}.yaml`);
  writeFileSync(
    path,
    [
      `data_dir: ${join(dir, 'data')}`,
      'sources:',
      // The live source: backfill reads the archives in its place, with its format.
      `  edge: { type: file, include: [${join(dir, 'live', '*.log')}], format: fastly_json }`,
      'sinks:',
      '  collector:',
      '    type: http',
      '    inputs: [edge]',
      `    uri: ${url}`,
      `    auth: { strategy: bearer, token: ${token} }`,
      '    encoding: { codec: ndjson, only_fields: [request_id, pop, event_id] }',
      '    request: { retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.1 }',
    ].join('\n'),
  );
  return path;
}

test('edgetail backfill: archives once, exit codes, progress lines, dead-letter replay', { timeout: 5 * 60_000 }, async () => {
  const dir = tempDir();
  const rx = await startReceiver({ expectAuthorization: 'Bearer good-token' });
  try {
    const plain = join(dir.path, 'day1.log');
    writeFileSync(plain, Array.from({ length: 3000 }, (_, i) => line(i)).join('\n') + '\n');
    const gz = join(dir.path, 'day2.log.gz');
    // Two members, the second starting mid-file: a valid gzip stream (what `cat a.gz b.gz` gives).
    const second = Array.from({ length: 2000 }, (_, i) => line(3000 + i));
    writeFileSync(gz, Buffer.concat([gzipSync(second.slice(0, 700).join('\n') + '\n'), gzipSync(second.slice(700).join('\n') + '\n')]));

    const good = config(dir.path, rx.url, 'good-token');
    const ok = await runEdgetail(['backfill', '--config', good, plain, gz, '--progress-interval', '1']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(rx.distinct, 5000);
    assert.equal(rx.duplicates, 0);
    assert.match(ok.stdout, /^backfill complete: 5000 lines read/m);
    assert.match(ok.stdout, /5000 acknowledged by every sink, 0 dead-lettered, 0 dropped, 0 unacknowledged/);
    assert.match(ok.stdout, /sink collector: 5000 sent, 0 dead-lettered/);
    // Not a TTY: plain progress lines, the last one at 100 %.
    assert.match(ok.stderr, /backfill: 2 file\(s\) in place of source edge \(format fastly_json\)/);
    assert.match(ok.stderr, /backfill: [\d.]+\/[\d.]+ MB \(100\.0%\), 5000 lines, \d+ lines\/s, ETA 0s, 0 events awaiting acknowledgement/);
    assert.ok(!ok.stderr.includes('\x1b['), 'no terminal escapes when stderr is not a TTY');

    const missing = await runEdgetail(['backfill', '--config', good, join(dir.path, 'nope.log')]);
    assert.equal(missing.code, 66);
    assert.match(missing.stderr, /nope\.log: no such file/);

    // A bad token: every batch is rejected with 401 and dead-lettered; the run still finishes.
    rx.reset();
    const bad = config(dir.path, rx.url, 'bad-token');
    const failed = await runEdgetail(['backfill', '--config', bad, plain]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /^backfill INCOMPLETE/m);
    assert.match(failed.stdout, /0 acknowledged by every sink, 3000 dead-lettered/);
    assert.equal(rx.distinct, 0);
    const dlDir = join(dir.path, 'data', 'dead_letter', 'collector');
    const dlFiles = readdirSync(dlDir).filter((f) => f.endsWith('.ndjson'));
    assert.equal(dlFiles.length, 1);
    const records = readFileSync(join(dlDir, dlFiles[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sink: string; reason: string; event: Record<string, unknown> });
    assert.equal(records.length, 3000);
    assert.equal(records[0]!.sink, 'collector');
    assert.match(records[0]!.reason, /401/);

    // Replay with the token fixed: every dead-lettered event arrives once, with its fields.
    rx.reset();
    const replay = await runEdgetail(['backfill', '--config', good, '--dead-letter', '--progress-interval', '1']);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stderr, /replaying 1 dead-letter file\(s\) into sink collector/);
    assert.match(replay.stdout, /^backfill complete: 3000 dead-letter records read/m);
    assert.equal(rx.distinct, 3000);
    assert.equal(rx.duplicates, 0);
    assert.deepEqual(
      [...rx.counts.keys()].map((id) => Number(id.split(':').pop())).sort((a, b) => a - b).slice(0, 2),
      [0, Buffer.byteLength(line(0)) + 1],
      'event ids (file offsets) survive the dead letter',
    );
    // The replayed file is moved aside: a second replay finds nothing.
    assert.ok(!readdirSync(dlDir).some((f) => f.endsWith('.ndjson') || f.endsWith('.replaying')));
    assert.ok(existsSync(join(dlDir, 'replayed')));
    const again = await runEdgetail(['backfill', '--config', good, '--dead-letter']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /no dead letters to replay/);
  } finally {
    await rx.close();
    dir.cleanup();
  }
});
